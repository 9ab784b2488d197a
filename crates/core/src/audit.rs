//! The audit log's hash chain. Every change appends a record whose hash covers its own fields and
//! the previous record's hash, so altering or removing any record breaks the chain from there on.

use crate::time::{Micros, to_rfc3339};
use sha2::{Digest, Sha256};

/// The `prev_hash` of the first record.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The kinds of things the log records changes to, with their names as users read them: every
/// entity kind the store writes (a store test reads the store's sources and fails on one missing).
pub const ENTITIES: &[(&str, &str)] = &[
    ("session", "登录会话"),
    ("user", "用户"),
    ("agency", "部门单位"),
    ("jurisdiction", "财政区划"),
    ("fiscal_year", "预算年度"),
    ("rulebook", "规则"),
    ("project", "项目"),
    ("allotment", "预算指标"),
    ("rollups", "汇总数据"),
    ("monitoring_round", "监控批次"),
    ("monitoring_report", "监控报告"),
    ("alert", "预警"),
    ("alert_decision", "预警处置意见"),
    ("pool_member", "专家/机构库成员"),
    ("household", "帮扶对象户"),
    ("area", "行政村"),
    ("finding_rectification", "核查问题整改"),
    ("person", "家庭成员"),
    ("policy_check", "政策落实核查"),
    ("enjoyment", "享受政策记录"),
    ("screening", "防返贫监测筛查"),
    ("clue", "监测线索"),
    ("visit", "走访记录"),
    ("visit_rectification", "走访问题整改"),
    ("risk_case", "监测帮扶案件"),
    ("risk_plan", "一户一策帮扶计划"),
    ("post", "公益性岗位"),
    ("child", "留守儿童档案"),
    ("courtyard_round", "洁净庭院检查轮次"),
    ("screening_campaign", "健康查体活动"),
    ("work_record", "就业记录（就业介绍信）"),
    ("draw", "随机抽取"),
    ("assignment", "评审任务"),
    ("self_evaluation", "单位自评"),
    ("evaluation", "重点评价"),
    ("rectification", "整改事项"),
    ("adjustment", "结果应用"),
];

/// The actions the log records, with their names as users read them: every action code the
/// store writes (a store test reads the store's sources and fails on one missing), in the order
/// of the budget year.
pub const ACTIONS: &[(&str, &str)] = &[
    // Signing in and out.
    ("login", "登录"),
    ("logout", "退出登录"),
    ("login.failed", "登录失败"),
    ("login.throttled", "登录受限（延时）"),
    ("login.locked", "账号临时锁定"),
    // Users, agencies, jurisdictions, years and rulebooks.
    ("user.create", "新增用户"),
    ("user.disable", "停用用户"),
    ("user.enable", "启用用户"),
    ("user.reset_password", "重置密码"),
    ("user.require_password_change", "要求下次登录修改密码"),
    ("user.change_password", "修改密码"),
    (
        "user.change_password_failed",
        "修改密码失败（当前密码错误）",
    ),
    ("agency.create", "新增部门单位"),
    ("agency.set_head", "变更第一责任人"),
    ("jurisdiction.create", "新增财政区划"),
    ("province.county_generated", "生成省级演示县区数据"),
    ("jurisdiction.rename", "修改区划名称"),
    ("jurisdiction.business_date", "设置业务日期"),
    ("fiscal_year.create", "设立预算年度"),
    ("rulebook.load", "载入规则"),
    // Projects, targets and their review.
    ("project.update", "修改项目"),
    ("project.import", "导入项目"),
    ("target.save", "保存绩效目标"),
    ("project.pre_assessment", "记录事前绩效评估"),
    // Allotments and the treasury.
    ("allotment.increase", "追加预算指标"),
    ("allotment.decrease", "调减预算指标"),
    ("allotment.recovery", "收回预算指标资金"),
    ("allotment.transfer_out", "调剂预算指标"),
    ("allotment.suspend", "暂停支付"),
    ("allotment.resume", "恢复支付"),
    ("allotment.classify", "设置支出功能分类"),
    ("treasury.payment", "国库集中支付"),
    ("treasury.refund", "支付退款（资金退回指标）"),
    ("treasury.reservation", "冻结指标（用款计划）"),
    ("treasury.release", "解冻指标（用款计划）"),
    // The dashboards' rollups.
    ("rollups.rebuild", "重算汇总数据"),
    // Monitoring and alerts.
    ("monitoring.evaluate", "按规则计算预警"),
    // Expert and institution pools.
    ("pool.link_account", "关联登录账号"),
    ("pool.draw", "随机抽取专家（机构）"),
    ("pool.rate", "评价履职情况"),
    ("pool.complaint", "登记投诉处理"),
    // Self-evaluation, key evaluation, results.
    ("publication.publish", "公开绩效信息"),
    ("publication.withdraw", "撤回公开"),
    // The assistance registry.
    ("area.load", "导入乡镇、管区、行政村"),
    ("household.create", "登记帮扶对象户"),
    ("household.read", "查阅帮扶对象户档案"),
    ("household.import", "导入全国系统人员信息"),
    ("household.export", "导出全国系统格式人员信息"),
    ("household.publicity", "生成村级公示名单"),
    ("enjoyment.import", "导入享受政策名单"),
    ("person.show_id_number", "查看完整证件号码"),
    ("policy_check.run", "开展政策落实核查"),
    ("enjoyment.create", "登记享受政策记录"),
    ("household_income.record", "登记家庭收入"),
    ("screening.run", "开展防返贫监测筛查"),
    ("clue.create", "登记监测线索"),
    ("clue.merge", "监测线索并入已有线索"),
    ("clue.dismiss", "线索不予立案"),
    ("visit.record", "记录走访"),
    ("visit.bulk_load", "批量载入走访记录（演示数据）"),
    ("visit_rectification.close", "走访问题整改销号"),
    ("risk_plan.save", "保存一户一策帮扶计划"),
    ("indicator.bind", "设置绩效指标从业务记录取数"),
    ("indicator.unbind", "取消绩效指标从业务记录取数"),
    ("post.create", "设立公益性岗位"),
    ("post_holder.create", "登记公益性岗位在岗人员"),
    ("post_month.record", "登记岗位人员出勤与工资"),
    ("child.create", "建立留守儿童档案"),
    ("child_activity.record", "登记留守儿童关爱活动"),
    ("courtyard_round.create", "开展洁净庭院检查"),
    ("courtyard.score", "洁净庭院评分"),
    ("screening_campaign.create", "组织健康查体"),
    ("screening_campaign.appoint", "预约健康查体"),
    ("screening_campaign.result", "登记健康查体结果"),
    ("work_record.create", "登记就业记录并出具就业介绍信"),
];

/// Codes earlier versions wrote and the store no longer does, still named for the records that
/// carry them.
pub const HISTORICAL_ACTIONS: &[(&str, &str)] = &[
    // One code for every review decision until the workflow kernel gave each its own
    // (project.pass_step, project.approve, project.return).
    ("project.review", "审核项目"),
    // One code for every results-application decision until the workflow kernel gave each its
    // own (adjustment.accept, adjustment.change, adjustment.reject).
    ("adjustment.decide", "决定结果应用"),
];

/// The name users read for an action code (the code itself when it has none). A workflow move's
/// code is named by the workflow (`crate::workflow`), where its action is declared; everything
/// else by [`ACTIONS`].
pub fn action_label(action: &str) -> &str {
    crate::workflow::audit_label(action)
        .or_else(|| {
            ACTIONS
                .iter()
                .chain(HISTORICAL_ACTIONS)
                .find(|(code, _)| *code == action)
                .map(|(_, label)| *label)
        })
        .unwrap_or(action)
}

/// The name users read for an entity kind (the code itself when it has none).
pub fn entity_label(entity: &str) -> &str {
    ENTITIES
        .iter()
        .find(|(code, _)| *code == entity)
        .map_or(entity, |(_, label)| label)
}

/// What a use case says happened; the store adds the sequence number, time and hashes.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEntry {
    /// Who did it: a username, or `system`.
    pub actor: String,
    /// What was done, e.g. `user.create`, `login.failed`.
    pub action: String,
    /// The kind of thing changed, e.g. `user`, `agency`, `session`.
    pub entity: String,
    /// Which one, e.g. the username or agency code.
    pub entity_id: String,
    /// The jurisdiction the change belongs to, if any (deployment-wide changes have none).
    pub jurisdiction: Option<String>,
    /// Anything else worth keeping, as JSON. Never a password or token.
    pub details: serde_json::Value,
}

impl AuditEntry {
    /// A new entry with empty details.
    pub fn new(actor: &str, action: &str, entity: &str, entity_id: &str) -> AuditEntry {
        AuditEntry {
            actor: actor.to_owned(),
            action: action.to_owned(),
            entity: entity.to_owned(),
            entity_id: entity_id.to_owned(),
            jurisdiction: None,
            details: serde_json::Value::Object(serde_json::Map::new()),
        }
    }

    /// The same entry, filed under `jurisdiction`.
    pub fn in_jurisdiction(mut self, jurisdiction: Option<&str>) -> AuditEntry {
        self.jurisdiction = jurisdiction.map(str::to_owned);
        self
    }

    /// The same entry with `details`.
    pub fn with_details(mut self, details: serde_json::Value) -> AuditEntry {
        self.details = details;
        self
    }
}

/// A stored record of the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRecord {
    /// Position in the chain, from 1, without gaps.
    pub seq: i64,
    /// When it was written.
    pub at: Micros,
    /// See [`AuditEntry::actor`].
    pub actor: String,
    /// See [`AuditEntry::action`].
    pub action: String,
    /// See [`AuditEntry::entity`].
    pub entity: String,
    /// See [`AuditEntry::entity_id`].
    pub entity_id: String,
    /// See [`AuditEntry::jurisdiction`].
    pub jurisdiction: Option<String>,
    /// The details exactly as stored (the JSON text is hashed byte for byte).
    pub details: String,
    /// The hash of the record before (or [`GENESIS_HASH`]).
    pub prev_hash: String,
    /// This record's hash.
    pub hash: String,
}

/// The hash of a record's fields chained to `prev_hash`, as lowercase hex SHA-256.
#[allow(clippy::too_many_arguments)]
pub fn chain_hash(
    seq: i64,
    at: Micros,
    actor: &str,
    action: &str,
    entity: &str,
    entity_id: &str,
    jurisdiction: Option<&str>,
    details: &str,
    prev_hash: &str,
) -> String {
    let mut hasher = Sha256::new();
    // Length-prefix every field so no two different records can share an input.
    for field in [
        seq.to_string().as_str(),
        to_rfc3339(at).as_str(),
        actor,
        action,
        entity,
        entity_id,
        jurisdiction.unwrap_or("-"),
        details,
        prev_hash,
    ] {
        hasher.update((field.len() as u64).to_be_bytes());
        hasher.update(field.as_bytes());
    }
    hex::encode(hasher.finalize())
}

impl AuditRecord {
    /// The hash this record's fields should carry.
    pub fn expected_hash(&self) -> String {
        chain_hash(
            self.seq,
            self.at,
            &self.actor,
            &self.action,
            &self.entity,
            &self.entity_id,
            self.jurisdiction.as_deref(),
            &self.details,
            &self.prev_hash,
        )
    }
}

/// Where and how the chain is broken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainBreak {
    /// A record's fields no longer match its hash: it was altered.
    #[error("第{seq}条审计记录已被篡改（内容与哈希不符）")]
    Altered {
        /// The record.
        seq: i64,
    },
    /// A record does not point at the record before it.
    #[error("第{seq}条审计记录与前一条记录不衔接（前序记录被篡改或删除）")]
    Unlinked {
        /// The record.
        seq: i64,
    },
    /// Sequence numbers jump: records were removed.
    #[error("审计记录缺失：应为第{expected}条，实为第{found}条")]
    Missing {
        /// The number that should have come next.
        expected: i64,
        /// The number that came.
        found: i64,
    },
    /// The chain ends before the last record the log knows it wrote.
    #[error("审计记录缺失：最后应为第{head}条，实际只到第{last}条")]
    TailMissing {
        /// The last sequence number written.
        head: i64,
        /// The last sequence number found.
        last: i64,
    },
}

/// Checks records one at a time, in sequence order, without holding them all.
#[derive(Debug, Clone)]
pub struct ChainVerifier {
    next_seq: i64,
    prev_hash: String,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        ChainVerifier {
            next_seq: 1,
            prev_hash: GENESIS_HASH.to_owned(),
        }
    }
}

impl ChainVerifier {
    /// Checks the next record.
    pub fn check(&mut self, record: &AuditRecord) -> Result<(), ChainBreak> {
        if record.seq != self.next_seq {
            return Err(ChainBreak::Missing {
                expected: self.next_seq,
                found: record.seq,
            });
        }
        if record.expected_hash() != record.hash {
            return Err(ChainBreak::Altered { seq: record.seq });
        }
        if record.prev_hash != self.prev_hash {
            return Err(ChainBreak::Unlinked { seq: record.seq });
        }
        self.next_seq += 1;
        self.prev_hash.clone_from(&record.hash);
        Ok(())
    }

    /// Finishes the check against the last sequence number the log recorded writing.
    pub fn finish(self, head_seq: i64) -> Result<i64, ChainBreak> {
        let last = self.next_seq - 1;
        if last != head_seq {
            return Err(ChainBreak::TailMissing {
                head: head_seq,
                last,
            });
        }
        Ok(last)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: i64) -> Vec<AuditRecord> {
        let mut prev = GENESIS_HASH.to_owned();
        (1..=n)
            .map(|seq| {
                let mut record = AuditRecord {
                    seq,
                    at: 1_700_000_000_000_000 + seq,
                    actor: "admin".into(),
                    action: "user.create".into(),
                    entity: "user".into(),
                    entity_id: format!("u{seq}"),
                    jurisdiction: Some("371481".into()),
                    details: "{}".into(),
                    prev_hash: prev.clone(),
                    hash: String::new(),
                };
                record.hash = record.expected_hash();
                prev.clone_from(&record.hash);
                record
            })
            .collect()
    }

    fn verify(records: &[AuditRecord], head: i64) -> Result<i64, ChainBreak> {
        let mut verifier = ChainVerifier::default();
        for record in records {
            verifier.check(record)?;
        }
        verifier.finish(head)
    }

    #[test]
    fn an_intact_chain_verifies() {
        assert_eq!(verify(&chain(5), 5), Ok(5));
        assert_eq!(verify(&[], 0), Ok(0));
    }

    #[test]
    fn an_altered_field_is_named_by_its_record() {
        let mut records = chain(5);
        records[2].details = r#"{"role":"admin"}"#.into();
        assert_eq!(verify(&records, 5), Err(ChainBreak::Altered { seq: 3 }));
    }

    #[test]
    fn a_rehashed_record_breaks_the_link_of_the_next() {
        let mut records = chain(5);
        records[1].actor = "mallory".into();
        records[1].hash = records[1].expected_hash();
        assert_eq!(verify(&records, 5), Err(ChainBreak::Unlinked { seq: 3 }));
    }

    #[test]
    fn removed_records_are_found_in_the_middle_and_at_the_end() {
        let mut records = chain(5);
        records.remove(1);
        assert_eq!(
            verify(&records, 5),
            Err(ChainBreak::Missing {
                expected: 2,
                found: 3
            })
        );
        let records = chain(4);
        assert_eq!(
            verify(&records, 5),
            Err(ChainBreak::TailMissing { head: 5, last: 4 })
        );
    }

    #[test]
    fn actions_and_entities_have_chinese_names() {
        assert_eq!(action_label("user.create"), "新增用户");
        assert_eq!(action_label("something.new"), "something.new");
        assert_eq!(entity_label("agency"), "部门单位");
    }

    #[test]
    fn every_code_is_listed_once_with_a_chinese_name() {
        for list in [ACTIONS, ENTITIES] {
            let mut codes: Vec<&str> = list.iter().map(|(code, _)| *code).collect();
            codes.sort_unstable();
            let before = codes.len();
            codes.dedup();
            assert_eq!(codes.len(), before, "a code is listed twice");
            for (code, label) in list {
                assert!(
                    code.bytes()
                        .all(|b| b.is_ascii_lowercase() || b == b'_' || b == b'.'),
                    "{code}"
                );
                assert!(!label.is_ascii(), "{code}: {label}");
            }
        }
    }

    #[test]
    fn fields_cannot_be_shifted_between_each_other() {
        let a = chain_hash(1, 0, "ab", "c", "e", "i", None, "{}", GENESIS_HASH);
        let b = chain_hash(1, 0, "a", "bc", "e", "i", None, "{}", GENESIS_HASH);
        assert_ne!(a, b);
    }
}
