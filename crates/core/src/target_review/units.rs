//! Which units fit which objects: the rulebook's unit tables as one lookup from a unit as written
//! (`万元`, `台（套）`, `元/人`, `个工作日`) to the kinds of object it can measure.

use super::rules::ObjectKind;
use std::collections::HashMap;

/// The unit tables of a rulebook.
#[derive(Debug, Clone, Default)]
pub(super) struct UnitTable {
    /// unit → bit mask of the object kinds (by their position in the rulebook) it fits.
    kinds: HashMap<String, u64>,
}

impl UnitTable {
    /// Builds the lookup from the objects' unit lists (at most 64 objects take part).
    pub(super) fn build(objects: &[ObjectKind]) -> UnitTable {
        let mut kinds: HashMap<String, u64> = HashMap::new();
        for (index, object) in objects.iter().enumerate().take(64) {
            for unit in &object.units {
                *kinds.entry(unit.trim().to_owned()).or_default() |= 1 << index;
            }
        }
        UnitTable { kinds }
    }

    /// The kinds a unit fits, or `None` for a unit the tables do not know.
    pub(super) fn kinds(&self, unit: &str) -> Option<u64> {
        let unit = unit.trim();
        if let Some(mask) = self.kinds.get(unit) {
            return Some(*mask);
        }
        let numerator = unit.split(['/', '每']).next().unwrap_or(unit).trim();
        let without_note = numerator
            .split(['（', '('])
            .next()
            .unwrap_or(numerator)
            .trim();
        let candidates = [
            numerator,
            without_note,
            without_note.trim_start_matches(['余', '多']),
            without_note.strip_prefix('千').unwrap_or(""),
            without_note.strip_prefix('个').unwrap_or(""),
        ];
        candidates
            .into_iter()
            .filter(|c| !c.is_empty() && *c != unit)
            .find_map(|c| self.kinds.get(c).copied())
    }

    /// Whether `unit` fits the object at `index`: `None` when the unit is unknown.
    pub(super) fn fits(&self, index: usize, unit: &str) -> Option<bool> {
        self.kinds(unit)
            .map(|mask| index < 64 && mask & (1 << index) != 0)
    }
}

/// The part of a per-unit unit after the slash (`元/人` → `人`).
pub(super) fn per(unit: &str) -> Option<&str> {
    unit.split_once('/')
        .map(|(_, d)| d.trim())
        .filter(|d| !d.is_empty())
}

/// Whether a unit is money in yuan (`元`, `元/人`; 万 is applied to the number already).
pub(super) fn is_yuan(unit: &str) -> bool {
    unit.split('/').next().is_some_and(|n| n.trim() == "元")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::target_review::rules::TargetReviewRules;

    #[test]
    fn units_as_written_find_their_kinds() {
        let rules = TargetReviewRules::default();
        let table = UnitTable::build(&rules.objects);
        let index = |kind: &str| {
            rules
                .objects
                .iter()
                .position(|o| o.kind == kind)
                .unwrap_or(99)
        };
        assert_eq!(table.fits(index("money"), "元/人"), Some(true));
        assert_eq!(table.fits(index("money"), "个"), Some(false));
        assert_eq!(table.fits(index("people"), "个"), Some(false));
        assert_eq!(table.fits(index("people"), "余人"), Some(true));
        assert_eq!(table.fits(index("items"), "台（套）"), Some(true));
        assert_eq!(table.fits(index("time"), "个工作日"), Some(true));
        assert_eq!(table.fits(index("rate"), "%"), Some(true));
        assert_eq!(table.fits(index("people"), "公斤/亩"), Some(false));
        assert_eq!(table.fits(index("people"), "棚"), None);
        assert_eq!(per("元/人"), Some("人"));
        assert!(is_yuan("元/户") && !is_yuan("人"));
    }
}
