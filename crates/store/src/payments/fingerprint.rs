//! Reused receipts: each receipt keeps a fingerprint (`card_to_card_payments.
//! receipt_fingerprint`) so that the same receipt sent for a second payment of the tenant is
//! noticed and its admins are warned before they approve it.
//!
//! A photo or document is known by Telegram's `file_unique_id`, which stays the same when the
//! same file is sent again or forwarded (to any bot). A text receipt is known by a hash of its
//! normalised text: letters lowercased, digits in Latin script, everything but letters and
//! digits dropped, so `Ref: ۱۲۳۴۵۶` and `ref 123456` are the same receipt. A text without at
//! least four digits (`paid`, `done`) carries no reference number and is not fingerprinted:
//! two customers writing the same word did not send the same receipt.

use remnabot_domain::{Result, Tenant};
use sea_orm::{ColumnTrait, QueryFilter, QueryOrder};
use sha2::{Digest, Sha256};

use super::{CardPayment, CardPayments, Receipt, ReceiptKind, to_card_payment};
use crate::db::unavailable;
use crate::entity::card_to_card_payment as card_pay;
use crate::scope;

/// The prefix of a file's fingerprint.
const FILE: &str = "file:";
/// The prefix of a text's fingerprint.
const TEXT: &str = "text:";
/// The fewest digits a text receipt needs to be fingerprinted.
const TEXT_MIN_DIGITS: usize = 4;

/// `c` as a Latin digit when it is a Persian or Arabic-Indic one.
fn latin_digit(c: char) -> char {
    match c {
        '\u{06F0}'..='\u{06F9}' => char::from_u32(u32::from(c) - 0x06F0 + u32::from('0')).unwrap_or(c),
        '\u{0660}'..='\u{0669}' => char::from_u32(u32::from(c) - 0x0660 + u32::from('0')).unwrap_or(c),
        c => c,
    }
}

/// The text as compared: lowercase letters and Latin digits only.
fn normalise(text: &str) -> String {
    text.chars().map(latin_digit).filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

/// The fingerprint of `receipt`, if it has one: `file:<file_unique_id>` for a photo or
/// document, `text:<SHA-256 of the normalised text>` for a text with a reference number.
pub(crate) fn fingerprint(receipt: &Receipt) -> Option<String> {
    match receipt.kind {
        ReceiptKind::Photo | ReceiptKind::Document => receipt.file_unique_id.as_ref().map(|id| format!("{FILE}{id}")),
        ReceiptKind::Text => {
            let text = normalise(receipt.text.as_deref()?);
            if text.chars().filter(char::is_ascii_digit).count() < TEXT_MIN_DIGITS {
                return None;
            }
            Some(format!("{TEXT}{}", crate::crypto::hex(&Sha256::digest(text.as_bytes()))))
        }
    }
}

/// The `file_unique_id` a stored fingerprint names, if it names a file.
pub(crate) fn file_unique_id(fingerprint: Option<&str>) -> Option<String> {
    fingerprint?.strip_prefix(FILE).map(str::to_owned)
}

impl CardPayments<'_> {
    /// Another payment of this tenant whose receipt is the same as `payment`'s (the earliest,
    /// if several), for the admins' warning. Another tenant's payments are never compared.
    ///
    /// # Errors
    /// [`remnabot_domain::Error::NotFound`] when `payment` is not this tenant's;
    /// [`remnabot_domain::Error::Unavailable`].
    pub async fn same_receipt(&self, tenant: &Tenant, payment: &CardPayment) -> Result<Option<CardPayment>> {
        let row = scope::get::<card_pay::Entity, _>(&self.store.db, tenant, payment.id.0).await?;
        let Some(fingerprint) = row.receipt_fingerprint else { return Ok(None) };
        let other = scope::select::<card_pay::Entity>(tenant)
            .filter(card_pay::Column::ReceiptFingerprint.eq(fingerprint))
            .filter(card_pay::Column::Id.ne(payment.id.0))
            .order_by_asc(card_pay::Column::Id)
            .one(&self.store.db)
            .await
            .map_err(unavailable)?;
        other.map(to_card_payment).transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(t: &str) -> Receipt {
        Receipt { kind: ReceiptKind::Text, file_id: None, file_unique_id: None, text: Some(t.to_owned()) }
    }

    fn photo(unique: Option<&str>) -> Receipt {
        Receipt {
            kind: ReceiptKind::Photo,
            file_id: Some("AgAC1".to_owned()),
            file_unique_id: unique.map(str::to_owned),
            text: Some("caption 123456".to_owned()),
        }
    }

    #[test]
    fn a_file_is_known_by_its_unique_id_whatever_its_caption() {
        assert_eq!(fingerprint(&photo(Some("AQADx1"))).as_deref(), Some("file:AQADx1"));
        assert_eq!(fingerprint(&photo(None)), None);
        assert_eq!(file_unique_id(Some("file:AQADx1")).as_deref(), Some("AQADx1"));
        assert_eq!(file_unique_id(fingerprint(&text("ref 123456")).as_deref()), None);
    }

    #[test]
    fn texts_differing_only_in_case_spacing_punctuation_or_digit_script_are_the_same_receipt() {
        let a = fingerprint(&text("Ref: 123456 / Mellat")).unwrap_or_default();
        assert!(a.starts_with("text:") && a.len() == 5 + 64, "{a}");
        for same in ["ref 123456 mellat", "REF-123456-MELLAT", "Ref: ۱۲۳۴۵۶ / Mellat", "ref ١٢٣٤٥٦\nmellat"]
        {
            assert_eq!(fingerprint(&text(same)).as_deref(), Some(a.as_str()), "{same}");
        }
        assert_ne!(fingerprint(&text("ref 123457 mellat")).as_deref(), Some(a.as_str()));
    }

    #[test]
    fn a_text_without_a_reference_number_is_not_fingerprinted() {
        for t in ["paid", "پرداخت شد", "done 123", "   "] {
            assert_eq!(fingerprint(&text(t)), None, "{t}");
        }
        assert!(fingerprint(&text("پرداخت شد ۱۲۳۴")).is_some());
    }
}
