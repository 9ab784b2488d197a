//! The expressions of the assistance rulebook: CEL, compiled once when the rulebook loads, with
//! every name and field they read checked against the context table ([`super::context`]), and
//! the message templates (`{person.age}`) of the data checks.

use super::context::{self, FieldValue, HouseholdView, MEMBERS, PersonView};
use crate::money;
use cel::common::ast::{EntryExpr, Expr, IdedExpr};
use cel::{Env, Program};
use std::collections::BTreeMap;

/// Where a rule is evaluated: once per member, or once per household.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Once per member: `person`, `household` and `amounts` are in scope.
    Person,
    /// Once per household: `household` and `amounts` are in scope.
    Household,
}

/// A field an expression reads.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum FieldRef {
    /// `person.<name>`.
    Person(&'static str),
    /// `household.<name>`.
    Household(&'static str),
    /// `<name>` of the elements of `household.members` (in `all`, `exists`, `filter` …).
    Member(&'static str),
    /// `amounts.<name>`.
    Amount(String),
}

/// A field shown beside a finding: what it is called and what it held.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FieldShown {
    /// The name in expressions, e.g. `person.age` or `household.members.labour`.
    pub name: String,
    /// The name users read, e.g. 年龄.
    pub label: String,
    /// The value as text, e.g. `45`, `是`, `3,420.00元`, `无劳动力、普通劳动力`.
    pub value: String,
}

impl FieldRef {
    /// The field as written in expressions.
    pub fn name(&self) -> String {
        match self {
            FieldRef::Person(f) => format!("person.{f}"),
            FieldRef::Household(f) => format!("household.{f}"),
            FieldRef::Member(f) => format!("household.{MEMBERS}.{f}"),
            FieldRef::Amount(f) => format!("amounts.{f}"),
        }
    }

    /// The field's label and value for one household (and one member for a person rule).
    pub fn show(
        &self,
        household: &HouseholdView<'_>,
        members: &[PersonView<'_>],
        person: Option<&PersonView<'_>>,
        amounts: &BTreeMap<String, i64>,
    ) -> FieldShown {
        let (label, value) = match self {
            FieldRef::Person(f) => match (context::person_field(f), person) {
                (Some(field), Some(p)) => (field.label.to_owned(), (field.get)(p).display()),
                _ => ((*f).to_owned(), String::new()),
            },
            FieldRef::Household(f) => match context::household_field(f) {
                Some(field) => (field.label.to_owned(), (field.get)(household).display()),
                None => ((*f).to_owned(), String::new()),
            },
            FieldRef::Member(f) => match context::person_field(f) {
                Some(field) => {
                    let values: Vec<String> =
                        members.iter().map(|m| (field.get)(m).display()).collect();
                    (format!("家庭成员{}", field.label), values.join("、"))
                }
                None => ((*f).to_owned(), String::new()),
            },
            FieldRef::Amount(f) => (
                format!("标准 {f}"),
                FieldValue::Money(amounts.get(f).copied().unwrap_or(0)).display(),
            ),
        };
        FieldShown {
            name: self.name(),
            label,
            value,
        }
    }
}

/// A compiled, validated expression.
pub struct Expression {
    /// The text as written in the rulebook.
    pub source: String,
    /// The fields it reads, in the order they are first written, without repeats.
    pub reads: Vec<FieldRef>,
    pub(crate) program: Program,
}

impl std::fmt::Debug for Expression {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Expression")
            .field("source", &self.source)
            .field("reads", &self.reads)
            .finish()
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Binding {
    Person,
    Household,
    Member,
    Amounts,
    Local,
}

struct Walker<'a> {
    scope: Vec<(String, Binding)>,
    amounts: &'a BTreeMap<String, i64>,
    reads: Vec<FieldRef>,
}

impl Walker<'_> {
    fn lookup(&self, name: &str) -> Option<Binding> {
        self.scope
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, b)| *b)
    }

    fn is_members(&self, expr: &IdedExpr) -> bool {
        matches!(&expr.expr, Expr::Select(s) if s.field == MEMBERS
            && matches!(&s.operand.expr, Expr::Ident(root) if self.lookup(root) == Some(Binding::Household)))
    }

    fn walk(&mut self, expr: &IdedExpr) -> Result<(), String> {
        match &expr.expr {
            Expr::Ident(name) => match self.lookup(name) {
                Some(_) => Ok(()),
                None => Err(format!("未知的名称“{name}”")),
            },
            Expr::Select(select) => match &select.operand.expr {
                Expr::Ident(root) => self.field(root, &select.field),
                _ => self.walk(&select.operand),
            },
            Expr::Call(call) => {
                if let Some(target) = &call.target {
                    self.walk(target)?;
                }
                call.args.iter().try_for_each(|a| self.walk(a))
            }
            Expr::Comprehension(c) => {
                self.walk(&c.iter_range)?;
                self.walk(&c.accu_init)?;
                let element = if self.is_members(&c.iter_range) {
                    Binding::Member
                } else {
                    Binding::Local
                };
                let depth = self.scope.len();
                self.scope.push((c.iter_var.clone(), element));
                if let Some(v) = &c.iter_var2 {
                    self.scope.push((v.clone(), Binding::Local));
                }
                self.scope.push((c.accu_var.clone(), Binding::Local));
                let result = [&c.loop_cond, &c.loop_step, &c.result]
                    .into_iter()
                    .try_for_each(|e| self.walk(e));
                self.scope.truncate(depth);
                result
            }
            Expr::List(list) => list.elements.iter().try_for_each(|e| self.walk(e)),
            Expr::Map(map) => map.entries.iter().try_for_each(|entry| match &entry.expr {
                EntryExpr::MapEntry(e) => {
                    self.walk(&e.key)?;
                    self.walk(&e.value)
                }
                EntryExpr::StructField(f) => self.walk(&f.value),
            }),
            Expr::Struct(s) => Err(format!("不支持结构体“{}”", s.type_name)),
            Expr::Literal(_) | Expr::Unspecified => Ok(()),
        }
    }

    fn field(&mut self, root: &str, field: &str) -> Result<(), String> {
        let read = match self.lookup(root) {
            None => return Err(format!("未知的名称“{root}”")),
            Some(Binding::Local) => return Ok(()),
            Some(Binding::Person) => context::person_field(field).map(|f| FieldRef::Person(f.name)),
            Some(Binding::Member) => context::person_field(field).map(|f| FieldRef::Member(f.name)),
            Some(Binding::Household) => {
                context::household_field(field).map(|f| FieldRef::Household(f.name))
            }
            Some(Binding::Amounts) => self
                .amounts
                .contains_key(field)
                .then(|| FieldRef::Amount(field.to_owned())),
        };
        match read {
            Some(read) => {
                // `household.members` itself is the list the member fields come from.
                if read != FieldRef::Household(MEMBERS) {
                    self.reads.push(read);
                }
                Ok(())
            }
            None if root == "amounts" => Err(format!("未定义的标准“amounts.{field}”")),
            None => Err(format!("“{root}”没有字段“{field}”")),
        }
    }
}

fn roots(scope: Scope) -> Vec<(String, Binding)> {
    let mut roots = vec![
        ("household".to_owned(), Binding::Household),
        ("amounts".to_owned(), Binding::Amounts),
    ];
    if scope == Scope::Person {
        roots.push(("person".to_owned(), Binding::Person));
    }
    roots
}

impl Expression {
    /// Compiles `source` and checks every name and field it reads; the error is a plain
    /// Chinese sentence (the caller adds which rule it belongs to).
    pub fn compile(
        env: &Env,
        source: &str,
        scope: Scope,
        amounts: &BTreeMap<String, i64>,
    ) -> Result<Expression, String> {
        if source.trim().is_empty() {
            return Err("表达式为空".to_owned());
        }
        let program = env
            .compile(source)
            .map_err(|e| format!("表达式无法解析：{e}"))?;
        let mut walker = Walker {
            scope: roots(scope),
            amounts,
            reads: Vec::new(),
        };
        walker.walk(program.expression()).map_err(|e| {
            if scope == Scope::Household && e.contains("“person”") {
                "家庭规则（scope = \"household\"）不能读取 person，请用 household.members"
                    .to_owned()
            } else {
                e
            }
        })?;
        let mut reads: Vec<FieldRef> = Vec::with_capacity(walker.reads.len());
        for read in walker.reads {
            if !reads.contains(&read) {
                reads.push(read);
            }
        }
        Ok(Expression {
            source: source.to_owned(),
            reads,
            program,
        })
    }
}

/// A message template: text with `{person.age}`-style placeholders naming fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    parts: Vec<Part>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Text(String),
    Field(FieldRef),
}

impl Message {
    /// Parses a template; every placeholder must name a field the scope can read.
    pub fn parse(
        template: &str,
        scope: Scope,
        amounts: &BTreeMap<String, i64>,
    ) -> Result<Message, String> {
        if template.trim().is_empty() {
            return Err("缺少提示信息 message".to_owned());
        }
        let mut parts = Vec::new();
        let mut rest = template;
        while let Some(start) = rest.find('{') {
            let end = rest[start..]
                .find('}')
                .map(|e| start + e)
                .ok_or_else(|| "提示信息中的“{”没有配对的“}”".to_owned())?;
            parts.push(Part::Text(rest[..start].to_owned()));
            let name = rest[start + 1..end].trim();
            let (root, field) = name
                .split_once('.')
                .ok_or_else(|| format!("提示信息中的“{{{name}}}”应写成 对象.字段"))?;
            let mut walker = Walker {
                scope: roots(scope),
                amounts,
                reads: Vec::new(),
            };
            walker
                .field(root, field)
                .map_err(|e| format!("提示信息中的{e}"))?;
            let read = walker.reads.pop().unwrap_or(FieldRef::Household("size"));
            parts.push(Part::Field(read));
            rest = &rest[end + 1..];
        }
        parts.push(Part::Text(rest.to_owned()));
        Ok(Message { parts })
    }

    /// Fills the placeholders with the household's (and the person's) values.
    pub fn render(
        &self,
        household: &HouseholdView<'_>,
        members: &[PersonView<'_>],
        person: Option<&PersonView<'_>>,
        amounts: &BTreeMap<String, i64>,
    ) -> String {
        self.parts
            .iter()
            .map(|p| match p {
                Part::Text(t) => t.clone(),
                Part::Field(f) => f.show(household, members, person, amounts).value,
            })
            .collect()
    }
}

/// Converts a rulebook amount in 元 (a decimal string) to fen.
pub fn amount_fen(text: &str) -> Result<i64, money::AmountError> {
    money::parse_yuan(text)
}
