//! The criteria as one condition tree, independent of any dialect. The
//! match language, a Sigma detection or the action globs all become this.

use spitzel_core::actions::EventPredicate;
use spitzel_core::expr::{Expression, Node, Op};
use spitzel_core::window::TimeWindow;
use spitzel_sigma::{Condition, Item, Rule};

/// A condition on one record.
#[derive(Debug)]
pub enum Cond<'a> {
    True,
    And(Vec<Cond<'a>>),
    Or(Vec<Cond<'a>>),
    Not(Box<Cond<'a>>),
    /// `PATH OP LITERAL` with the match language's semantics (any-match
    /// over the selected values; nothing selected stands for None).
    Compare {
        path: &'a str,
        op: &'a Op,
    },
    /// eventTime inside the window (unreadable eventTime: outside).
    Window(TimeWindow),
    /// The action globs, as predicates on eventSource and eventName.
    Actions(ActionPlan),
    /// One Sigma item (`field|modifiers: values`) of `rule`, with the
    /// filter's semantics (crates/sigma/src/eval.rs).
    Sigma {
        rule: &'a Rule,
        item: &'a Item,
    },
}

impl<'a> Cond<'a> {
    /// The conjunction of the filter's criteria.
    pub fn criteria(
        actions: ActionPlan,
        window: TimeWindow,
        expressions: &'a [Expression],
        sigma: Option<Cond<'a>>,
    ) -> Self {
        let mut all = Vec::new();
        if !matches!(actions, ActionPlan::All) {
            all.push(Cond::Actions(actions));
        }
        if !window.is_unbounded() {
            all.push(Cond::Window(window));
        }
        all.extend(expressions.iter().map(|e| Self::from_node(e.root())));
        all.extend(sigma);
        match all.len() {
            0 => Cond::True,
            1 => all.remove(0),
            _ => Cond::And(all),
        }
    }

    /// A record matching at least one of the rules.
    pub fn sigma(rules: &'a [Rule]) -> Self {
        Cond::Or(
            rules
                .iter()
                .map(|rule| Self::detection(rule, &rule.detection.condition))
                .collect(),
        )
    }

    /// A record matching `rule`.
    pub fn rule(rule: &'a Rule) -> Self {
        Self::detection(rule, &rule.detection.condition)
    }

    fn detection(rule: &'a Rule, condition: &'a Condition) -> Self {
        let each =
            |terms: &'a [Condition]| terms.iter().map(|t| Self::detection(rule, t)).collect();
        match condition {
            // A search: OR over its maps, each an AND over its items.
            Condition::Search(index) => Cond::Or(
                rule.detection.searches[*index]
                    .maps
                    .iter()
                    .map(|map| {
                        Cond::And(map.iter().map(|item| Cond::Sigma { rule, item }).collect())
                    })
                    .collect(),
            ),
            Condition::Not(inner) => Cond::Not(Box::new(Self::detection(rule, inner))),
            Condition::And(terms) => Cond::And(each(terms)),
            Condition::Or(terms) => Cond::Or(each(terms)),
        }
    }

    pub fn from_node(node: &'a Node) -> Self {
        match node {
            Node::Or(nodes) => Cond::Or(nodes.iter().map(Self::from_node).collect()),
            Node::And(nodes) => Cond::And(nodes.iter().map(Self::from_node).collect()),
            Node::Not(inner) => Cond::Not(Box::new(Self::from_node(inner))),
            Node::Compare { path, op } => Cond::Compare {
                path: path.text(),
                op,
            },
        }
    }
}

/// Which events the action globs select.
#[derive(Debug, Clone, PartialEq)]
pub enum ActionPlan {
    /// No globs, or `*`: every event.
    All,
    /// Events for which any predicate holds (none: no event).
    Any(Vec<EventPredicate>),
}
