//! Subtrees of parent-linked records: a jurisdiction and those below it, an agency and its units.

use std::collections::{HashMap, HashSet};
use std::hash::Hash;

/// Returns `root` and every node below it, given each node's parent. Cycles cannot loop forever.
pub fn subtree<K>(root: &K, parents: &[(K, Option<K>)]) -> Vec<K>
where
    K: Eq + Hash + Clone,
{
    let mut children: HashMap<&K, Vec<&K>> = HashMap::new();
    for (node, parent) in parents {
        if let Some(parent) = parent {
            children.entry(parent).or_default().push(node);
        }
    }
    let mut seen: HashSet<&K> = HashSet::new();
    let mut out = Vec::new();
    let mut stack = vec![root];
    while let Some(node) = stack.pop() {
        if !seen.insert(node) {
            continue;
        }
        out.push(node.clone());
        if let Some(kids) = children.get(node) {
            stack.extend(kids.iter().rev().copied());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_subtree_holds_the_root_and_all_below_it_only() {
        let parents = vec![
            ("370000", None),
            ("371400", Some("370000")),
            ("371481", Some("371400")),
            ("371402", Some("371400")),
            ("370100", Some("370000")),
        ];
        let mut dezhou = subtree(&"371400", &parents);
        dezhou.sort();
        assert_eq!(dezhou, vec!["371400", "371402", "371481"]);
        assert_eq!(subtree(&"371481", &parents), vec!["371481"]);
        assert_eq!(subtree(&"370000", &parents).len(), 5);
    }

    #[test]
    fn a_cycle_does_not_loop() {
        let parents = vec![(1, Some(2)), (2, Some(1))];
        assert_eq!(subtree(&1, &parents).len(), 2);
    }
}
