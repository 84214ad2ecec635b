//! The configuration file's shape. Every key is optional in a file; a preset
//! gives them all, so the effective configuration is complete.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct File {
    /// The starting point: `strict`, `talisman` or `api`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) preset: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) proxy: Option<Proxy>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) https: Option<Https>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) headers: Option<Headers>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) csp: Option<CspSection>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) csrf: Option<CsrfSection>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) reporting: Option<Reporting>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Proxy {
    /// `none`, `loopback`, `peers` or `all`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) trust: Option<String>,
    /// For `peers`: addresses or CIDR ranges.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) peers: Option<Vec<String>>,
    /// The headers the proxy writes: `x-forwarded-proto`, `x-forwarded-host`,
    /// `x-forwarded-for`, or `forwarded`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) headers: Option<Vec<String>>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Https {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) redirect: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) allowed_hosts: Option<Vec<String>>,
    /// The https port to redirect to; 443 writes none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) port: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) exempt_paths: Option<Vec<String>>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Hsts {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) enabled: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) max_age: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) include_subdomains: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) preload: Option<bool>,
}

/// Keyword headers take their value, or `""` for no header.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Headers {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) frame_options: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) content_type_options: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) referrer_policy: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) permissions_policy: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) document_policy: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) cross_origin_opener_policy: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) cross_origin_embedder_policy: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) cross_origin_resource_policy: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) permitted_cross_domain_policies: Option<String>,
    /// `on`, `off`, or `""` for no header.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) dns_prefetch_control: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) origin_agent_cluster: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) xss_protection: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) force_file_save: Option<bool>,
    /// Harden every `Set-Cookie` (HttpOnly, SameSite=Lax, Secure on https).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) harden_cookies: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) override_existing: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) hsts: Option<Hsts>,
    /// More headers, name to value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) extra: Option<BTreeMap<String, String>>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct CspSection {
    /// The policy; `""` sends no CSP.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) policy: Option<String>,
    /// The policy in Talisman's dict form, directive to sources, in order
    /// (instead of `policy`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) directives: Option<toml::Table>,
    /// Directives that get the per-request nonce.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) nonce_in: Option<Vec<String>>,
    /// Send the policy as `Content-Security-Policy-Report-Only`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) report_only: Option<bool>,
    /// Where browsers send violation reports; `""` for none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) report_uri: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct CsrfSection {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) enabled: Option<bool>,
    /// Require a token (else Fetch Metadata / Origin only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) tokens: Option<bool>,
    /// The environment variable holding the key ring (never the key itself).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) key_env: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) trusted_origins: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) allow_same_site: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) check_referer: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) check_websockets: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) check_event_streams: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) report_only: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) cookie_name: Option<String>,
    /// `lax`, `strict` or `none`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) same_site: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) header_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) field_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) json_key: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) body_limit: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) body_timeout_secs: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) exempt_paths: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) exempt_routes: Option<Vec<String>>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Reporting {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) max_body: Option<usize>,
    /// Report bodies per client per minute.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) per_minute: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) max_reports_per_body: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) collapse_window_secs: Option<u64>,
}
