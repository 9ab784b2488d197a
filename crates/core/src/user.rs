//! Users: a login name, a role, and for agency users the agency they act for.

use crate::role::Role;
use crate::validation::ValidationErrors;

/// A user as entered by an administrator or the command line. Its `Debug` leaves the password
/// out.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct NewUser {
    /// Login name: 1–64 ASCII letters, digits, `_`, `-` or `.`.
    pub username: String,
    /// The name shown on pages, e.g. 张会计; defaults to the username.
    pub display_name: String,
    /// Role code as entered (checked here, so an unknown role is a field error).
    pub role: String,
    /// Jurisdiction the user is bound to; `None` only for deployment-wide administrators.
    pub jurisdiction: Option<String>,
    /// Agency code, required for (and only for) agency users.
    pub agency_code: Option<String>,
    /// Area code (a township or a village), required for village and township users, allowed
    /// for helpers.
    pub area_code: Option<String>,
    /// Sector (民政, 医保, 残联 …), required for (and only for) sector users.
    pub sector: Option<String>,
    /// The initial password, in clear; hashed before it is stored.
    pub password: String,
}

impl std::fmt::Debug for NewUser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewUser")
            .field("username", &self.username)
            .field("display_name", &self.display_name)
            .field("role", &self.role)
            .field("jurisdiction", &self.jurisdiction)
            .field("agency_code", &self.agency_code)
            .field("area_code", &self.area_code)
            .field("sector", &self.sector)
            .field("password", &"…")
            .finish()
    }
}

/// Whether `name` is a usable login name.
pub fn is_valid_username(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
}

impl NewUser {
    /// Checks the fields, reporting every problem; returns the parsed role when all is well.
    pub fn validate(&self) -> Result<Role, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        if !is_valid_username(&self.username) {
            errors.add(
                "username",
                "invalid",
                "用户名应为1至64位字母、数字、“_”、“-”或“.”",
            );
        }
        errors.optional_text("display_name", "姓名", &self.display_name, 50);
        let role = Role::parse(&self.role);
        match role {
            None => errors.add(
                "role",
                "unknown_role",
                format!(
                    "未知角色“{}”，可选：{}",
                    self.role,
                    Role::ALL.map(Role::as_str).join("、")
                ),
            ),
            Some(role) if role.needs_agency() && self.agency_code.is_none() => {
                errors.add("agency", "required", "部门/单位用户必须指定所属单位")
            }
            Some(role) if !role.needs_agency() && self.agency_code.is_some() => {
                errors.add("agency", "not_allowed", "只有部门/单位用户才能绑定单位")
            }
            Some(role) if role != Role::Admin && self.jurisdiction.is_none() => errors.add(
                "jurisdiction",
                "required",
                "除系统管理员外，用户必须属于一个财政区划",
            ),
            Some(_) => {}
        }
        if let Some(role) = role {
            if role.needs_area() && self.area_code.is_none() {
                errors.add("area", "required", "村级、乡镇用户必须指定所辖区域");
            }
            if !role.needs_area() && role != Role::Helper && self.area_code.is_some() {
                errors.add(
                    "area",
                    "not_allowed",
                    "只有村级、乡镇用户和帮扶责任人才能绑定区域",
                );
            }
            match (&self.sector, role.needs_sector()) {
                (None, true) => {
                    errors.add("sector", "required", "行业部门用户必须指定所属行业部门")
                }
                (Some(_), false) => {
                    errors.add("sector", "not_allowed", "只有行业部门用户才能指定行业部门")
                }
                (Some(sector), true) => errors.text("sector", "行业部门", sector, 20),
                (None, false) => {}
            }
        }
        if let Err(reason) = crate::password::check_policy(&self.password) {
            errors.add("password", "weak_password", reason);
        }
        errors.into_result()?;
        // An unknown role was reported above, so `role` is set here.
        role.ok_or_else(ValidationErrors::default)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_leaves_the_password_out() {
        let shown = format!("{:?}", user("finance", None));
        assert!(shown.contains("zhang.san"), "{shown}");
        assert!(!shown.contains("a-good-password"), "{shown}");
    }

    fn user(role: &str, agency: Option<&str>) -> NewUser {
        NewUser {
            username: "zhang.san".into(),
            display_name: "张三".into(),
            role: role.into(),
            jurisdiction: Some("371481".into()),
            agency_code: agency.map(str::to_owned),
            password: "a-good-password".into(),
            ..NewUser::default()
        }
    }

    #[test]
    fn agency_users_need_an_agency_and_others_must_not_have_one() {
        assert_eq!(user("agency", Some("105")).validate(), Ok(Role::Agency));
        assert!(user("agency", None).validate().is_err());
        assert!(user("finance", Some("105")).validate().is_err());
        assert_eq!(user("viewer", None).validate(), Ok(Role::Viewer));
    }

    #[test]
    fn unknown_roles_and_bad_names_are_field_errors() {
        let mut bad = user("root", None);
        bad.username = "张三".into();
        bad.password = "short".into();
        let errors = bad.validate().err().unwrap_or_default();
        let fields: Vec<&str> = errors.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, vec!["username", "role", "password"]);
        assert!(!is_valid_username(&"a".repeat(65)));
    }
}
