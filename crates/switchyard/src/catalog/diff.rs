//! What an import changes, offering by offering and figure by figure.
//!
//! The import's writer ([`super::import`]) records a [`Diff`] as it applies
//! its rules, so the diff a person is shown before a price refresh is written
//! is made by the very code that writes it ([`super::import::plan`] runs it in
//! a transaction that is rolled back), never by a second reading of the rules.

use serde::Serialize;

use super::fields::{Field, Value};
use crate::format;

/// An import's changes.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Diff {
    /// New offerings, by id.
    pub added: Vec<AddedOffering>,
    /// Changed values of offerings already in the catalog, by offering and
    /// field.
    pub changed: Vec<FieldChange>,
    /// Offerings an earlier import of the same format wrote that the source
    /// no longer lists, by id. An import never deletes: they stay in the
    /// catalog with the figures they had, and plans that name them still
    /// resolve; this list says which figures no longer have a source.
    pub removed: Vec<String>,
}

impl Diff {
    /// How many writes the import makes: one per offering added and one per
    /// value changed (removed offerings are kept, so they are not writes).
    pub fn changes(&self) -> usize {
        self.added.len() + self.changed.len()
    }

    /// Whether the import writes nothing.
    pub fn is_empty(&self) -> bool {
        self.changes() == 0
    }

    /// Sorted as documented (by id; by offering, then field), so that two
    /// runs of the same import compare equal whatever order they ran in.
    pub(crate) fn sort(&mut self) {
        self.added.sort_by(|a, b| a.id.cmp(&b.id));
        self.changed
            .sort_by(|a, b| (&a.offering, a.order).cmp(&(&b.offering, b.order)));
        self.removed.sort();
    }
}

/// An offering the import adds, with the figures the source gives it.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AddedOffering {
    pub id: String,
    pub figures: Vec<FigureValue>,
}

/// One figure and its value.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FigureValue {
    pub field: &'static str,
    #[cfg_attr(feature = "ts", ts(type = "number | string"))]
    pub value: Value,
}

impl FigureValue {
    pub(crate) fn new(field: Field, value: &Value) -> Self {
        Self {
            field: field.name(),
            value: value.clone(),
        }
    }
}

/// One value of one offering that the import changes: a figure (its imported
/// value), or the offering's `mode`, `litellm_key` or `groups`.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldChange {
    pub offering: String,
    pub field: String,
    #[cfg_attr(feature = "ts", ts(type = "number | string | null"))]
    pub old: Option<Value>,
    #[cfg_attr(feature = "ts", ts(type = "number | string | null"))]
    pub new: Option<Value>,
    /// The relative change in percent, when both values are numbers and the
    /// old one is not zero.
    pub percent: Option<f64>,
    /// `old → new (+x.y%)`, as both faces show it.
    pub text: String,
    /// The user overrides this figure: the imported value changes, the
    /// effective one stays the user's until `catalog reset`.
    pub overridden: bool,
    /// Where the field sorts: the offering's own fields first, then the
    /// figures in [`Field::ALL`] order.
    #[serde(skip)]
    #[cfg_attr(feature = "ts", ts(skip))]
    order: usize,
}

/// The offering's own fields a change may name, before the figures.
const OFFERING_FIELDS: [&str; 3] = ["mode", "litellm_key", "groups"];

impl FieldChange {
    /// A change of a figure's imported value.
    pub(crate) fn figure(
        offering: &str,
        field: Field,
        old: Option<&Value>,
        new: &Value,
        overridden: bool,
    ) -> Self {
        let order =
            OFFERING_FIELDS.len() + Field::ALL.iter().position(|f| *f == field).unwrap_or(0);
        Self::new(
            offering,
            field.name(),
            order,
            old.cloned(),
            Some(new.clone()),
            overridden,
        )
    }

    /// A change of the offering's `mode`, `litellm_key` or `groups`.
    pub(crate) fn offering(
        offering: &str,
        field: &'static str,
        old: Option<String>,
        new: Option<String>,
    ) -> Self {
        let order = OFFERING_FIELDS
            .iter()
            .position(|f| *f == field)
            .unwrap_or(0);
        Self::new(
            offering,
            field,
            order,
            old.map(Value::Text),
            new.map(Value::Text),
            false,
        )
    }

    fn new(
        offering: &str,
        field: &str,
        order: usize,
        old: Option<Value>,
        new: Option<Value>,
        overridden: bool,
    ) -> Self {
        let percent = match (&old, &new) {
            (Some(Value::Number(a)), Some(Value::Number(b))) => relative_change(*a, *b),
            _ => None,
        };
        let mut text = format!("{} → {}", shown(old.as_ref()), shown(new.as_ref()));
        if let Some(p) = percent {
            text.push_str(&format!(" ({})", format::signed_percent(p)));
        }
        Self {
            offering: offering.to_owned(),
            field: field.to_owned(),
            old,
            new,
            percent,
            text,
            overridden,
            order,
        }
    }
}

/// `(new - old) / old` in percent; `None` from zero (no finite ratio).
pub fn relative_change(old: f64, new: f64) -> Option<f64> {
    let p = (new - old) / old * 100.0;
    (old != 0.0 && p.is_finite()).then_some(p)
}

/// A value as the CLI prints it: numbers in their shortest form, text as is.
fn shown(v: Option<&Value>) -> String {
    match v {
        None => "none".to_owned(),
        Some(Value::Number(x)) => format!("{x}"),
        Some(Value::Text(t)) => t.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_price_change_reads_old_new_and_percent() {
        let c = FieldChange::figure(
            "a/b",
            Field::InputPerMtok,
            Some(&Value::Number(2.5)),
            &Value::Number(3.0),
            false,
        );
        assert_eq!(c.text, "2.5 → 3 (+20.0%)");
        assert_eq!(c.percent, Some(20.0));
        let c = FieldChange::figure(
            "a/b",
            Field::OutputPerMtok,
            Some(&Value::Number(10.0)),
            &Value::Number(8.0),
            true,
        );
        assert_eq!(c.text, "10 → 8 (-20.0%)");
        assert!(c.overridden);
    }

    #[test]
    fn no_percent_from_zero_nothing_or_text() {
        let from_zero = FieldChange::figure(
            "a/b",
            Field::CachedInputPerMtok,
            Some(&Value::Number(0.0)),
            &Value::Number(0.1),
            false,
        );
        assert_eq!(
            (from_zero.percent, from_zero.text.as_str()),
            (None, "0 → 0.1")
        );
        let first = FieldChange::figure(
            "a/b",
            Field::ContextWindow,
            None,
            &Value::Number(128_000.0),
            false,
        );
        assert_eq!(first.text, "none → 128000");
        let mode = FieldChange::offering("a/b", "mode", None, Some("chat".to_owned()));
        assert_eq!((mode.percent, mode.text.as_str()), (None, "none → chat"));
        assert_eq!(relative_change(0.0, 0.0), None);
        assert_eq!(relative_change(4.0, 4.0), Some(0.0));
    }

    #[test]
    fn changes_sort_by_offering_then_field_order() {
        let mut diff = Diff {
            changed: vec![
                FieldChange::figure("b", Field::OutputPerMtok, None, &Value::Number(1.0), false),
                FieldChange::figure("a", Field::ContextWindow, None, &Value::Number(1.0), false),
                FieldChange::figure("b", Field::InputPerMtok, None, &Value::Number(1.0), false),
                FieldChange::offering("b", "mode", None, Some("chat".to_owned())),
            ],
            removed: vec!["z".to_owned(), "y".to_owned()],
            ..Diff::default()
        };
        diff.sort();
        let order: Vec<(&str, &str)> = diff
            .changed
            .iter()
            .map(|c| (c.offering.as_str(), c.field.as_str()))
            .collect();
        assert_eq!(
            order,
            [
                ("a", "context_window"),
                ("b", "mode"),
                ("b", "input_per_mtok"),
                ("b", "output_per_mtok")
            ]
        );
        assert_eq!(diff.removed, ["y", "z"]);
        assert_eq!(diff.changes(), 4);
    }
}
