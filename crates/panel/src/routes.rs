//! Panel calls that read the same on v2 and v3: creating users, finding them by username,
//! squads, nodes and system figures. Calls that address a user live in `v2` and `v3`.

use remnabot_domain::panel::{InternalSquad, NewPanelUser, PanelError, PanelNode, PanelResult, PanelUser, SystemStats};
use reqwest::Method;

use crate::http::PanelHttp;
use crate::wire::{WireNodes, WireSquads, WireStats, WireUser, create_body};

pub(crate) async fn create_user(http: &PanelHttp, new: &NewPanelUser) -> PanelResult<PanelUser> {
    let body = create_body(new);
    match http.send::<WireUser>(Method::POST, &["api", "users"], &[], Some(&body)).await {
        Ok(user) => Ok(user.into()),
        Err(PanelError::AlreadyExists { .. }) => Err(PanelError::AlreadyExists { username: new.username.clone() }),
        Err(other) => Err(other),
    }
}

pub(crate) async fn user_by_username(http: &PanelHttp, username: &str) -> PanelResult<Option<PanelUser>> {
    match http.send::<WireUser>(Method::GET, &["api", "users", "by-username", username], &[], None).await {
        Ok(user) => Ok(Some(user.into())),
        Err(PanelError::NotFound) => Ok(None),
        Err(other) => Err(other),
    }
}

pub(crate) async fn internal_squads(http: &PanelHttp) -> PanelResult<Vec<InternalSquad>> {
    let squads: WireSquads = http.send(Method::GET, &["api", "internal-squads"], &[], None).await?;
    Ok(squads.into())
}

pub(crate) async fn nodes(http: &PanelHttp) -> PanelResult<Vec<PanelNode>> {
    let nodes: WireNodes = http.send(Method::GET, &["api", "nodes"], &[], None).await?;
    Ok(nodes.into())
}

pub(crate) async fn system_stats(http: &PanelHttp) -> PanelResult<SystemStats> {
    let stats: WireStats = http.send(Method::GET, &["api", "system", "stats"], &[], None).await?;
    stats.try_into()
}
