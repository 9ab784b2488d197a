//! The rulebook's word lists compiled once into automata, so that a name is scanned in one pass
//! however many lists there are: a review of a million rows stays cheap.

use aho_corasick::{AhoCorasick, MatchKind};
use std::collections::HashMap;

/// A set of word lists searched together. An entry `A+B` is present when both words are.
#[derive(Debug, Clone)]
pub(super) struct Lexicon {
    automaton: AhoCorasick,
    /// list → entries → pattern ids of the entry's parts.
    lists: Vec<Vec<Vec<u32>>>,
    patterns: usize,
}

/// Which patterns a text contains; reused between texts to avoid allocating.
#[derive(Debug, Clone, Default)]
pub(super) struct Hits {
    bits: Vec<u64>,
}

impl Hits {
    fn set(&mut self, pattern: usize) {
        if let Some(word) = self.bits.get_mut(pattern / 64) {
            *word |= 1 << (pattern % 64);
        }
    }

    fn get(&self, pattern: u32) -> bool {
        let pattern = pattern as usize;
        self.bits
            .get(pattern / 64)
            .is_some_and(|w| w & (1 << (pattern % 64)) != 0)
    }
}

impl Lexicon {
    /// Compiles the lists (in order: list `i` is asked for by `i`).
    pub(super) fn build(lists: &[&[String]]) -> Result<Lexicon, aho_corasick::BuildError> {
        let mut ids: HashMap<&str, u32> = HashMap::new();
        let mut words: Vec<&str> = Vec::new();
        let mut compiled = Vec::with_capacity(lists.len());
        for list in lists {
            let mut entries = Vec::with_capacity(list.len());
            for entry in list.iter() {
                let parts: Vec<u32> = entry
                    .split('+')
                    .map(str::trim)
                    .filter(|p| !p.is_empty())
                    .map(|part| {
                        *ids.entry(part).or_insert_with(|| {
                            words.push(part);
                            u32::try_from(words.len() - 1).unwrap_or(u32::MAX)
                        })
                    })
                    .collect();
                if !parts.is_empty() {
                    entries.push(parts);
                }
            }
            compiled.push(entries);
        }
        let automaton = AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .build(&words)?;
        Ok(Lexicon {
            automaton,
            lists: compiled,
            patterns: words.len(),
        })
    }

    /// Fresh hits sized for this lexicon.
    pub(super) fn hits(&self) -> Hits {
        Hits {
            bits: vec![0; self.patterns.div_ceil(64)],
        }
    }

    /// Records which words `text` contains.
    pub(super) fn scan(&self, text: &str, hits: &mut Hits) {
        hits.bits.iter_mut().for_each(|w| *w = 0);
        for found in self.automaton.find_overlapping_iter(text) {
            hits.set(found.pattern().as_usize());
        }
    }

    /// Whether any entry of list `list` is in the scanned text.
    pub(super) fn has(&self, list: usize, hits: &Hits) -> bool {
        self.lists.get(list).is_some_and(|entries| {
            entries
                .iter()
                .any(|parts| parts.iter().all(|p| hits.get(*p)))
        })
    }
}

/// Word classes of a statement (a value written in words).
pub(super) mod class {
    /// A word that alone says nothing checkable.
    pub const VAGUE: u8 = 1;
    /// A degree that grades a change.
    pub const GRADE: u8 = 2;
    /// A change.
    pub const CHANGE: u8 = 4;
    /// A particle.
    pub const FILLER: u8 = 8;
}

/// What a statement is made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(super) struct Statement {
    /// Every character belongs to a vague word, a particle or punctuation.
    pub only_vague: bool,
    /// It has a grade word.
    pub graded: bool,
    /// It has a change word.
    pub change: bool,
}

/// Reads statements word by word, longest words first.
#[derive(Debug, Clone)]
pub(super) struct StatementReader {
    automaton: AhoCorasick,
    classes: Vec<u8>,
}

impl StatementReader {
    /// Compiles the classes' words.
    pub(super) fn build(
        classes: &[(&[String], u8)],
    ) -> Result<StatementReader, aho_corasick::BuildError> {
        let mut ids: HashMap<&str, usize> = HashMap::new();
        let mut words: Vec<&str> = Vec::new();
        let mut masks: Vec<u8> = Vec::new();
        for (list, class) in classes {
            for word in list.iter().map(|w| w.trim()).filter(|w| !w.is_empty()) {
                let id = *ids.entry(word).or_insert_with(|| {
                    words.push(word);
                    masks.push(0);
                    words.len() - 1
                });
                if let Some(mask) = masks.get_mut(id) {
                    *mask |= class;
                }
            }
        }
        let automaton = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .build(&words)?;
        Ok(StatementReader {
            automaton,
            classes: masks,
        })
    }

    /// Reads `text`.
    pub(super) fn read(&self, text: &str) -> Statement {
        let mut statement = Statement::default();
        let mut covered = 0;
        let mut content = false;
        for found in self.automaton.find_iter(text) {
            let class = self
                .classes
                .get(found.pattern().as_usize())
                .copied()
                .unwrap_or(0);
            content |= text
                .get(covered..found.start())
                .is_some_and(|gap| gap.chars().any(is_content));
            covered = found.end();
            if class & (class::VAGUE | class::GRADE | class::CHANGE | class::FILLER) == 0 {
                content = true;
            }
            statement.graded |= class & class::GRADE != 0;
            statement.change |= class & class::CHANGE != 0;
        }
        content |= text
            .get(covered..)
            .is_some_and(|gap| gap.chars().any(is_content));
        statement.only_vague = !content;
        statement
    }
}

/// A letter, digit or ideograph (not punctuation or space).
pub(super) fn is_content(c: char) -> bool {
    c.is_alphanumeric()
}
