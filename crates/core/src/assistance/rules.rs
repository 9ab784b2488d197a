//! The assistance rulebook: a TOML file of its own kind (one per province and year, see
//! `rulebooks/assistance-shandong-2020.toml` and `docs/assistance-rulebook-format.md`) with the
//! policies (who is eligible, what they get) and the data checks of the coverage check. Loading
//! compiles every expression and refuses the whole file on the first bad rule, naming its code.

use super::binding::Bindings;
use super::expression::{Expression, Message, Scope, amount_fen};
use super::registry::Department;
use cel::Env;
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// The demo rulebook: Shandong, 2020, with Dezhou's 2016 amounts.
pub const SHANDONG_2020: &str = include_str!("../../../../rulebooks/assistance-shandong-2020.toml");

/// The assistance rulebooks shipped with Jixiao, by name.
pub const SHIPPED: [(&str, &str); 1] = [("assistance-shandong-2020", SHANDONG_2020)];

/// Why an assistance rulebook was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AssistanceRulebookError {
    /// Not valid TOML or not the expected shape.
    #[error("帮扶政策规则文件格式有误：{0}")]
    Syntax(String),
    /// A rule's expression does not parse or reads a name or field that does not exist.
    #[error("规则 {code} 的表达式有误：{reason}")]
    Expression {
        /// The policy or check code.
        code: String,
        /// What is wrong, in plain Chinese.
        reason: String,
    },
    /// Two policies or checks share a code.
    #[error("规则代码 {0} 重复")]
    DuplicateCode(String),
    /// An amount is not a decimal number of 元.
    #[error("{place} 的金额“{text}”有误：{reason}")]
    Amount {
        /// Where the amount is (`amounts.x` or a policy code).
        place: String,
        /// The text written.
        text: String,
        /// Why it was refused.
        reason: String,
    },
    /// Anything else that does not fit: an unknown department or scope, a missing name.
    #[error("规则 {code} 有误：{reason}")]
    Rule {
        /// The policy or check code (or the file-level key).
        code: String,
        /// What is wrong.
        reason: String,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RulebookFile {
    name: String,
    title: String,
    province: String,
    year: i32,
    #[serde(default)]
    basis: String,
    #[serde(default)]
    amounts: BTreeMap<String, String>,
    policies: Vec<PolicyFile>,
    #[serde(default)]
    checks: Vec<CheckFile>,
    monitoring: Option<super::monitoring::MonitoringFile>,
    programmes: Option<super::programmes::ProgrammesFile>,
    visits: Option<super::visits::VisitsFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicyFile {
    code: String,
    name: String,
    department: String,
    scope: String,
    eligible: String,
    benefit: BenefitFile,
    #[serde(default = "yes")]
    report_should_enjoy: bool,
    #[serde(default = "yes")]
    report_wrongly_enjoys: bool,
}

fn yes() -> bool {
    true
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BenefitFile {
    #[serde(default)]
    text: String,
    amount: Option<String>,
    #[serde(default)]
    per: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CheckFile {
    code: String,
    name: String,
    department: String,
    scope: String,
    fires: String,
    message: String,
}

/// What a policy gives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Benefit {
    /// The benefit in words (may be empty when an amount says it all).
    pub text: String,
    /// The amount, fen, when the policy pays money.
    pub amount: Option<i64>,
    /// What the amount is per, e.g. 人/月 or 年.
    pub per: String,
}

/// A policy: who is eligible and what they get.
#[derive(Debug)]
pub struct Policy {
    /// The code enjoyments refer to, e.g. `dibao`.
    pub code: String,
    /// The name users read, e.g. 低保.
    pub name: String,
    /// The department that grants it.
    pub department: Department,
    /// Per person or per household.
    pub scope: Scope,
    /// Who is eligible.
    pub eligible: Expression,
    /// What they get.
    pub benefit: Benefit,
    /// Whether an eligible person without it is a finding (off for posts and other benefits
    /// that are not an entitlement).
    pub report_should_enjoy: bool,
    /// Whether enjoying it without being eligible is a finding (off for services anyone may
    /// have, such as 家庭医生签约).
    pub report_wrongly_enjoys: bool,
}

/// A data check: a combination of facts that cannot be right.
#[derive(Debug)]
pub struct Check {
    /// A code unique in the rulebook.
    pub code: String,
    /// The name users read.
    pub name: String,
    /// The department that answers for it.
    pub department: Department,
    /// Per person or per household.
    pub scope: Scope,
    /// When it fires.
    pub fires: Expression,
    /// What the finding says.
    pub message: Message,
}

impl AssistanceRules {
    /// The fields (as expressions name them: `health`, `per_capita_income` …, without
    /// `person.` or `household.`) that the policies and checks of `department` read: what a
    /// department's user needs to see of a household (ASSISTANCE.md §6, data minimisation).
    pub fn fields_read_by(
        &self,
        department: Department,
    ) -> std::collections::HashSet<&'static str> {
        let expressions = self
            .policies
            .iter()
            .filter(|p| p.department == department)
            .map(|p| &p.eligible)
            .chain(
                self.checks
                    .iter()
                    .filter(|c| c.department == department)
                    .map(|c| &c.fires),
            );
        expressions
            .flat_map(|e| e.reads.iter())
            .filter_map(|r| match r {
                super::FieldRef::Person(f)
                | super::FieldRef::Household(f)
                | super::FieldRef::Member(f) => Some(*f),
                super::FieldRef::Amount(_) => None,
            })
            .collect()
    }
}

/// A loaded assistance rulebook, every expression compiled.
#[derive(Debug)]
pub struct AssistanceRules {
    /// Short name, e.g. `assistance-shandong-2020`.
    pub name: String,
    /// Title users read.
    pub title: String,
    /// The province's 6-digit area code.
    pub province: String,
    /// The year it applies to.
    pub year: i32,
    /// The documents it follows.
    pub basis: String,
    /// The named standards (`amounts.x` in expressions), fen.
    pub amounts: BTreeMap<String, i64>,
    /// The policies, in file order.
    pub policies: Vec<Policy>,
    /// The data checks, in file order.
    pub checks: Vec<Check>,
    /// The dynamic monitoring section (the line, the triggers, the time limits), when there is
    /// one.
    pub monitoring: Option<super::monitoring::MonitoringRules>,
    /// The programmes section (post holders' ages, the courtyard pass score, the children's
    /// "12345" schedule), when there is one.
    pub programmes: Option<super::programmes::ProgrammeRules>,
    /// The visits section (走访: frequency, evidence limits, problem classes), when there is
    /// one.
    pub visits: Option<super::visits::VisitRules>,
    pub(crate) env: SharedEnv,
    /// The fields the expressions read (bound at check time).
    pub(crate) bindings: Bindings,
    /// `amounts.<name>` and its fen, ready to bind.
    pub(crate) amount_variables: Vec<(String, i64)>,
}

/// The CEL environment the expressions were compiled with (shared with every evaluation).
#[derive(Clone)]
pub(crate) struct SharedEnv(pub(crate) Arc<Env>);

impl std::fmt::Debug for SharedEnv {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Env::stdlib()")
    }
}

fn rule_error(code: &str, reason: impl Into<String>) -> AssistanceRulebookError {
    AssistanceRulebookError::Rule {
        code: code.to_owned(),
        reason: reason.into(),
    }
}

fn scope(code: &str, text: &str) -> Result<Scope, AssistanceRulebookError> {
    match text {
        "person" => Ok(Scope::Person),
        "household" => Ok(Scope::Household),
        _ => Err(rule_error(
            code,
            format!("scope 应为 \"person\" 或 \"household\"，而不是“{text}”"),
        )),
    }
}

fn department(code: &str, text: &str) -> Result<Department, AssistanceRulebookError> {
    Department::parse(text).ok_or_else(|| {
        let known: Vec<&str> = Department::ALL.iter().map(|d| d.as_str()).collect();
        rule_error(
            code,
            format!("未知的部门“{text}”（可用：{}）", known.join("、")),
        )
    })
}

fn amount(place: &str, text: &str) -> Result<i64, AssistanceRulebookError> {
    amount_fen(text).map_err(|e| AssistanceRulebookError::Amount {
        place: place.to_owned(),
        text: text.to_owned(),
        reason: e.to_string(),
    })
}

fn named(code: &str, name: &str) -> Result<(), AssistanceRulebookError> {
    let valid = !code.is_empty()
        && code
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if !valid {
        return Err(rule_error(code, "代码只能由小写字母、数字和下划线组成"));
    }
    if name.trim().is_empty() {
        return Err(rule_error(code, "缺少名称 name"));
    }
    Ok(())
}

impl AssistanceRules {
    /// Parses, compiles and checks an assistance rulebook.
    pub fn parse(text: &str) -> Result<AssistanceRules, AssistanceRulebookError> {
        let file: RulebookFile =
            toml::from_str(text).map_err(|e| AssistanceRulebookError::Syntax(e.to_string()))?;
        if file.name.trim().is_empty() || file.title.trim().is_empty() {
            return Err(rule_error("name", "缺少规则名称 name 或标题 title"));
        }
        if file.province.len() != 6 || !file.province.bytes().all(|b| b.is_ascii_digit()) {
            return Err(rule_error("province", "province 应为6位行政区划代码"));
        }
        let amounts = file
            .amounts
            .iter()
            .map(|(k, v)| Ok((k.clone(), amount(&format!("amounts.{k}"), v)?)))
            .collect::<Result<BTreeMap<_, _>, AssistanceRulebookError>>()?;
        let env = Arc::new(Env::stdlib());
        let mut seen = BTreeSet::new();
        let mut unique = |code: &str| {
            if seen.insert(code.to_owned()) {
                Ok(())
            } else {
                Err(AssistanceRulebookError::DuplicateCode(code.to_owned()))
            }
        };
        let compile = |code: &str, source: &str, scope: Scope| {
            Expression::compile(&env, source, scope, &amounts).map_err(|reason| {
                AssistanceRulebookError::Expression {
                    code: code.to_owned(),
                    reason,
                }
            })
        };
        if file.policies.is_empty() {
            return Err(rule_error("policies", "至少需要一项政策"));
        }
        let mut policies = Vec::with_capacity(file.policies.len());
        for p in &file.policies {
            named(&p.code, &p.name)?;
            unique(&p.code)?;
            let scope = scope(&p.code, &p.scope)?;
            let benefit = Benefit {
                text: p.benefit.text.clone(),
                amount: p
                    .benefit
                    .amount
                    .as_deref()
                    .map(|a| amount(&p.code, a))
                    .transpose()?,
                per: p.benefit.per.clone(),
            };
            if benefit.text.trim().is_empty() && benefit.amount.is_none() {
                return Err(rule_error(&p.code, "benefit 至少要有 text 或 amount"));
            }
            policies.push(Policy {
                code: p.code.clone(),
                name: p.name.clone(),
                department: department(&p.code, &p.department)?,
                scope,
                eligible: compile(&p.code, &p.eligible, scope)?,
                benefit,
                report_should_enjoy: p.report_should_enjoy,
                report_wrongly_enjoys: p.report_wrongly_enjoys,
            });
        }
        let mut checks = Vec::with_capacity(file.checks.len());
        for c in &file.checks {
            named(&c.code, &c.name)?;
            unique(&c.code)?;
            let scope = scope(&c.code, &c.scope)?;
            checks.push(Check {
                code: c.code.clone(),
                name: c.name.clone(),
                department: department(&c.code, &c.department)?,
                scope,
                fires: compile(&c.code, &c.fires, scope)?,
                message: Message::parse(&c.message, scope, &amounts)
                    .map_err(|reason| rule_error(&c.code, reason))?,
            });
        }
        let bindings = Bindings::from_reads(
            policies
                .iter()
                .flat_map(|p| &p.eligible.reads)
                .chain(checks.iter().flat_map(|c| &c.fires.reads)),
        );
        let monitoring = file
            .monitoring
            .as_ref()
            .map(|m| {
                super::monitoring::MonitoringRules::from_file(m, |place, text| {
                    amount(place, text).map_err(|e| e.to_string())
                })
            })
            .transpose()
            .map_err(|reason| rule_error("monitoring", reason))?;
        let programmes = file
            .programmes
            .as_ref()
            .map(super::programmes::ProgrammeRules::from_file)
            .transpose()
            .map_err(|reason| rule_error("programmes", reason))?;
        let visits = file
            .visits
            .as_ref()
            .map(super::visits::VisitRules::from_file)
            .transpose()
            .map_err(|reason| rule_error("visits", reason))?;
        let amount_variables = amounts
            .iter()
            .map(|(k, v)| (format!("amounts.{k}"), *v))
            .collect();
        let rules = AssistanceRules {
            name: file.name,
            title: file.title,
            province: file.province,
            year: file.year,
            basis: file.basis,
            amounts,
            policies,
            checks,
            monitoring,
            programmes,
            visits,
            env: SharedEnv(env),
            bindings,
            amount_variables,
        };
        rules.try_on_sample()?;
        Ok(rules)
    }

    /// A shipped rulebook by name; `None` for an unknown name.
    pub fn shipped(name: &str) -> Option<Result<AssistanceRules, AssistanceRulebookError>> {
        SHIPPED
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, text)| AssistanceRules::parse(text))
    }

    /// A policy by code.
    pub fn policy(&self, code: &str) -> Option<&Policy> {
        self.policies.iter().find(|p| p.code == code)
    }

    /// A check by code.
    pub fn check(&self, code: &str) -> Option<&Check> {
        self.checks.iter().find(|c| c.code == code)
    }
}

#[cfg(test)]
#[path = "rules_tests.rs"]
mod tests;
