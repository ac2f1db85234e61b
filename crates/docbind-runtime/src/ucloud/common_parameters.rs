//! UCloud's common parameters (`ProjectId`, `Region`, `Zone`): a request may leave them to the client's
//! configuration, as ucloud-sdk-go does. Which parameters an operation takes this way, and whether its docs
//! require them, is generated data (`Operation::common`); this file only applies it.

use super::protocol::{Form, Operation};
use super::Config;
use crate::Error;

/// The [`Config`] setting a common parameter's default comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConfigDefault {
    /// [`Config::project_id`].
    ProjectId,
    /// [`Config::region`].
    Region,
    /// [`Config::zone`].
    Zone,
}

/// A request parameter the client fills from its configuration when the request leaves it unset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommonParameter {
    /// The parameter (`Region`).
    pub wire: &'static str,
    /// Where its default comes from.
    pub default: ConfigDefault,
    /// Whether the docs require it: a call that gets it from neither the request nor the configuration fails
    /// before sending.
    pub required: bool,
}

/// Adds to `form` every common parameter of `op` it lacks and `config` sets; an
/// [`Error::InvalidRequest`] naming the operation and the parameter when a required one is set by neither.
pub(super) fn fill(op: &Operation, config: &Config, form: &mut Form) -> Result<(), Error> {
    for parameter in op.common {
        if form.contains(parameter.wire) {
            continue;
        }
        let (value, setter, variable) = match parameter.default {
            ConfigDefault::ProjectId => (&config.project_id, "with_project_id", "UCLOUD_PROJECT_ID"),
            ConfigDefault::Region => (&config.region, "with_region", "UCLOUD_REGION"),
            ConfigDefault::Zone => (&config.zone, "with_zone", "UCLOUD_ZONE"),
        };
        match value {
            Some(value) => form.str(parameter.wire, value),
            None if parameter.required => {
                return Err(Error::InvalidRequest(format!(
                    "{} requires the parameter {}: set it on the request, or give the client a default \
                     (Config::{setter}, {variable} or the profile); nothing was sent",
                    op.action, parameter.wire
                )))
            }
            None => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    static DESCRIBE: Operation = Operation {
        action: "DescribeThing",
        idempotent: true,
        common: &[
            CommonParameter { wire: "ProjectId", default: ConfigDefault::ProjectId, required: false },
            CommonParameter { wire: "Region", default: ConfigDefault::Region, required: true },
        ],
    };

    #[test]
    fn unset_parameters_come_from_the_config_and_set_ones_stay() {
        let config = Config::new("p", "s").with_region("cn-bj2").with_project_id("org-1");
        let mut form = Form::new();
        form.str("ProjectId", "org-mine");
        fill(&DESCRIBE, &config, &mut form).unwrap();
        assert_eq!(form.get("ProjectId"), Some("org-mine"));
        assert_eq!(form.get("Region"), Some("cn-bj2"));
    }

    #[test]
    fn a_required_parameter_set_by_neither_names_the_operation_and_the_parameter() {
        let config = Config::new("p", "s").with_project_id("org-1");
        let error = fill(&DESCRIBE, &config, &mut Form::new()).unwrap_err();
        assert!(matches!(&error, Error::InvalidRequest(m) if m.contains("DescribeThing") && m.contains("Region")));
        // An optional one set by neither is simply not sent.
        let config = Config::new("p", "s").with_region("cn-bj2");
        let mut form = Form::new();
        fill(&DESCRIBE, &config, &mut form).unwrap();
        assert_eq!(form.get("ProjectId"), None);
    }
}
