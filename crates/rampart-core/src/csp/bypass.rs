//! Rampart's table of hosts known to defeat host allow-lists in `script-src` / `object-src`.
//!
//! Each entry names a public host that serves something an attacker can point a
//! `<script src>` (or `<object data>`) at to run code of their choosing: a JSONP
//! endpoint, a copy of AngularJS, or a script-capable Flash file. Allowing the host
//! (directly, by a wildcard such as `*.herokuapp.com`, or by a bare `https:`) lets
//! an HTML injection become script execution despite the policy. The table covers
//! every host in the lists published with Google's CSP Evaluator (checked by a test).

/// Why a host defeats an allow-list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum BypassKind {
    /// Serves JSONP: the caller picks the callback, so the response runs attacker-chosen code.
    Jsonp,
    /// Hosts AngularJS, whose template expressions in injected markup run as script.
    AngularJs,
    /// Hosts a Flash file that can run script (relevant to `object-src`).
    Flash,
    /// Serves a script loader that is only exploitable when `'unsafe-eval'` is allowed.
    JsonpNeedsEval,
}

/// One known bypass-prone host.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct BypassHost {
    /// The host name, lower-case, e.g. `"www.google.com"`.
    pub(crate) host: &'static str,
    /// What makes it dangerous.
    pub(crate) kind: BypassKind,
    /// A known dangerous path on the host (used when the allow-list entry has a path).
    pub(crate) path: &'static str,
    /// A human-readable explanation, used in lint findings.
    pub(crate) reason: &'static str,
}

/// Every entry of rampart's bypass-host table.
#[cfg(test)]
pub(crate) fn bypass_hosts() -> &'static [BypassHost] {
    TABLE
}

/// The table entries an allow-list source would let through.
///
/// Understands host sources with or without scheme, port and path
/// (`https://*.herokuapp.com:443/`), wildcards (`*.googleapis.com` matches
/// `ajax.googleapis.com` but not `googleapis.com`), and treats `*`, `https:` and
/// `http:` as matching every entry. A source with a path only matches entries
/// under that path (a path ending in `/` is a prefix, as in CSP).
pub(crate) fn bypasses_for(host_source: &str) -> Vec<&'static BypassHost> {
    let src = host_source.trim();
    let lower = src.to_ascii_lowercase();
    if lower == "*" || lower == "https:" || lower == "http:" {
        return TABLE.iter().collect();
    }
    let Some((host, path)) = split_host_source(src) else {
        return Vec::new();
    };
    TABLE
        .iter()
        .filter(|b| host_matches(&host, b.host) && path_matches(path, b.path))
        .collect()
}

/// Hosts that serve arbitrary code by design or that changed hands, kept
/// apart from CSP Evaluator's JSONP and AngularJS table: allowing one in a
/// script directive allows any script. Each with its reason and the date it
/// was checked.
pub(crate) const ARBITRARY_CODE_HOSTS: &[(&str, &str, &str)] = &[
    ("unpkg.com", "serves any file of any npm package, so anyone can publish a package and load it", "2026-12"),
    ("cdn.jsdelivr.net", "serves any npm package and any GitHub repository's files", "2026-12"),
    ("esm.sh", "serves any npm package as an ES module", "2026-12"),
    ("cdn.skypack.dev", "serves any npm package as an ES module", "2026-12"),
    ("ga.jspm.io", "serves any npm package as an ES module", "2026-12"),
    ("raw.githack.com", "serves any file of any GitHub repository with a script content type", "2026-12"),
    ("rawcdn.githack.com", "serves any file of any GitHub repository with a script content type", "2026-12"),
    ("polyfill.io", "the domain changed hands in February 2024 and served malware to sites that loaded it (June 2024)", "2024-06"),
    ("cdn.polyfill.io", "the domain changed hands in February 2024 and served malware to sites that loaded it (June 2024)", "2024-06"),
];

/// Domains under which anyone can publish a site: a wildcard over one
/// (`*.vercel.app`) lets in every stranger's site. Kept with the date checked.
pub(crate) const OPEN_HOSTING_SUFFIXES: &[(&str, &str)] = &[
    ("github.io", "2026-12"),
    ("gitlab.io", "2026-12"),
    ("vercel.app", "2026-12"),
    ("netlify.app", "2026-12"),
    ("pages.dev", "2026-12"),
    ("web.app", "2026-12"),
    ("firebaseapp.com", "2026-12"),
    ("herokuapp.com", "2026-12"),
    ("glitch.me", "2026-12"),
    ("surge.sh", "2026-12"),
    ("onrender.com", "2026-12"),
    ("fly.dev", "2026-12"),
    ("azurewebsites.net", "2026-12"),
    ("appspot.com", "2026-12"),
    ("blogspot.com", "2026-12"),
];

/// Why a host pattern is as good as any host to an attacker, if it is: a
/// wildcard over a top-level domain (`*.com`, `https://*.xyz`: anyone can
/// register a name there) or over a domain where anyone can publish a site.
pub(crate) fn open_wildcard(host_source: &str) -> Option<String> {
    let (host, _) = split_host_source(host_source.trim())?;
    let suffix = host.strip_prefix("*.")?;
    if !suffix.contains('.') {
        return Some(format!(
            "anyone can register a name under the .{suffix} top-level domain"
        ));
    }
    OPEN_HOSTING_SUFFIXES
        .iter()
        .find(|(s, _)| *s == suffix)
        .map(|(s, checked)| format!("anyone can publish a site under {s} (checked {checked})"))
}

/// The arbitrary-code hosts an allow-list entry covers (`*.jsdelivr.net`
/// covers `cdn.jsdelivr.net`).
pub(crate) fn arbitrary_code_hosts(
    host_source: &str,
) -> Vec<&'static (&'static str, &'static str, &'static str)> {
    let Some((host, _)) = split_host_source(host_source.trim()) else {
        return Vec::new();
    };
    ARBITRARY_CODE_HOSTS
        .iter()
        .filter(|(h, _, _)| host_matches(&host, h))
        .collect()
}

/// Splits a host source into (lower-case host pattern, optional path).
pub(crate) fn split_host_source(src: &str) -> Option<(String, Option<&str>)> {
    let rest = match src.find("://") {
        Some(i) => &src[i + 3..],
        None if src.ends_with(':') => return None, // a scheme source such as data:
        None => src,
    };
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], Some(&rest[i..])),
        None => (rest, None),
    };
    let host = if authority.starts_with('[') {
        authority.split_inclusive(']').next().unwrap_or(authority)
    } else {
        match authority.rsplit_once(':') {
            Some((h, port)) if port == "*" || port.bytes().all(|b| b.is_ascii_digit()) => h,
            _ => authority,
        }
    };
    if host.is_empty() {
        return None;
    }
    Some((host.to_ascii_lowercase(), path))
}

fn host_matches(pattern: &str, host: &str) -> bool {
    if pattern == "*" {
        return true;
    }
    match pattern.strip_prefix("*.") {
        Some(suffix) => {
            host.len() > suffix.len() + 1
                && host.ends_with(suffix)
                && host[..host.len() - suffix.len()].ends_with('.')
        }
        None => pattern == host,
    }
}

fn path_matches(source_path: Option<&str>, entry_path: &str) -> bool {
    match source_path {
        None | Some("") | Some("/") => true,
        Some(p) if p.ends_with('/') => entry_path.starts_with(p),
        Some(p) => entry_path == p,
    }
}

static TABLE: &[BypassHost] = &[
    BypassHost {
        host: "bebezoo.1688.com",
        kind: BypassKind::Jsonp,
        path: "/fragment/index.htm",
        reason: "serves JSONP at /fragment/index.htm (the caller names the callback), so an injected <script src> can run attacker-chosen code",
    },
    BypassHost {
        host: "www.google-analytics.com",
        kind: BypassKind::JsonpNeedsEval,
        path: "/gtm/js",
        reason: "serves a script loader at /gtm/js that evaluates caller-supplied input, so it runs attacker code when 'unsafe-eval' is allowed",
    },
    BypassHost {
        host: "googleads.g.doubleclick.net",
        kind: BypassKind::Jsonp,
        path: "/pagead/conversion/1036918760/wcm",
        reason: "serves JSONP at /pagead/conversion/1036918760/wcm (the caller names the callback), so an injected <script src> can run attacker-chosen code",
    },
    BypassHost {
        host: "www.googleadservices.com",
        kind: BypassKind::JsonpNeedsEval,
        path: "/pagead/conversion/1070110417/wcm",
        reason: "serves a script loader at /pagead/conversion/1070110417/wcm that evaluates caller-supplied input, so it runs attacker code when 'unsafe-eval' is allowed",
    },
    BypassHost {
        host: "www.google.com",
        kind: BypassKind::Jsonp,
        path: "/tools/feedback/escalation-options",
        reason: "serves JSONP at /tools/feedback/escalation-options (the caller names the callback), so an injected <script src> can run attacker-chosen code",
    },
    BypassHost {
        host: "pin.aliyun.com",
        kind: BypassKind::Jsonp,
        path: "/check_audio",
        reason: "serves JSONP at /check_audio (the caller names the callback), so an injected <script src> can run attacker-chosen code",
    },
    BypassHost {
        host: "offer.alibaba.com",
        kind: BypassKind::Jsonp,
        path: "/market/CID100002954/5/fetchKeyword.do",
        reason: "serves JSONP at /market/CID100002954/5/fetchKeyword.do (the caller names the callback), so an injected <script src> can run attacker-chosen code",
    },
    BypassHost {
        host: "ccrprod.alipay.com",
        kind: BypassKind::Jsonp,
        path: "/ccr/arriveTime.json",
        reason: "serves JSONP at /ccr/arriveTime.json (the caller names the callback), so an injected <script src> can run attacker-chosen code",
    },
    BypassHost {
        host: "group.aliexpress.com",
        kind: BypassKind::Jsonp,
        path: "/ajaxAcquireGroupbuyProduct.do",
        reason: "serves JSONP at /ajaxAcquireGroupbuyProduct.do (the caller names the callback), so an injected <script src> can run attacker-chosen code",
    },
    BypassHost {
        host: "detector.alicdn.com",
        kind: BypassKind::Jsonp,
        path: "/2.7.3/index.php",
        reason: "serves JSONP at /2.7.3/index.php (the caller names the callback), so an injected <script src> can run attacker-chosen code",
    },
    BypassHost {
        host: "suggest.taobao.com",
        kind: BypassKind::Jsonp,
        path: "/sug",
        reason: "serves JSONP at /sug (the caller names the callback), so an injected <script src> can run attacker-chosen code",
    },
    BypassHost {
        host: "translate.google.com",
        kind: BypassKind::Jsonp,
        path: "/translate_a/l",
        reason: "serves JSONP at /translate_a/l (the caller names the callback), so an injected <script src> can run attacker-chosen code",
    },
    BypassHost {
        host: "count.tbcdn.cn",
        kind: BypassKind::Jsonp,
        path: "//counter3",
        reason: "serves JSONP at //counter3 (the caller names the callback), so an injected <script src> can run attacker-chosen code",
    },
    BypassHost {
        host: "wb.amap.com",
        kind: BypassKind::Jsonp,
        path: "/channel.php",
        reason: "serves JSONP at /channel.php (the caller names the callback), so an injected <script src> can run attacker-chosen code",
    },
    BypassHost {
        host: "translate.googleapis.com",
        kind: BypassKind::Jsonp,
        path: "/translate_a/l",
        reason: "serves JSONP at /translate_a/l (the caller names the callback), so an injected <script src> can run attacker-chosen code",
    },
    BypassHost {
        host: "afpeng.alimama.com",
        kind: BypassKind::Jsonp,
        path: "/ex",
        reason: "serves JSONP at /ex (the caller names the callback), so an injected <script src> can run attacker-chosen code",
    },
    BypassHost {
        host: "accounts.google.com",
        kind: BypassKind::Jsonp,
        path: "/o/oauth2/revoke",
        reason: "serves JSONP at /o/oauth2/revoke (the caller names the callback), so an injected <script src> can run attacker-chosen code",
    },
    BypassHost {
        host: "pagead2.googlesyndication.com",
        kind: BypassKind::Jsonp,
        path: "/relatedsearch",
        reason: "serves JSONP at /relatedsearch (the caller names the callback), so an injected <script src> can run attacker-chosen code",
    },
    BypassHost {
        host: "yandex.ru",
        kind: BypassKind::Jsonp,
        path: "/soft/browsers/check",
        reason: "serves JSONP at /soft/browsers/check (the caller names the callback), so an injected <script src> can run attacker-chosen code",
    },
    BypassHost {
        host: "api.facebook.com",
        kind: BypassKind::Jsonp,
        path: "/restserver.php",
        reason: "serves JSONP at /restserver.php (the caller names the callback), so an injected <script src> can run attacker-chosen code",
    },
    BypassHost {
        host: "mts0.googleapis.com",
        kind: BypassKind::Jsonp,
        path: "/maps/vt",
        reason: "serves JSONP at /maps/vt (the caller names the callback), so an injected <script src> can run attacker-chosen code",
    },
    BypassHost {
        host: "syndication.twitter.com",
        kind: BypassKind::Jsonp,
        path: "/widgets/timelines/765840589183213568",
        reason: "serves JSONP at /widgets/timelines/765840589183213568 (the caller names the callback), so an injected <script src> can run attacker-chosen code",
    },
    BypassHost {
        host: "www.youtube.com",
        kind: BypassKind::Jsonp,
        path: "/profile_style",
        reason: "serves JSONP at /profile_style (the caller names the callback), so an injected <script src> can run attacker-chosen code",
    },
    BypassHost {
        host: "googletagmanager.com",
        kind: BypassKind::JsonpNeedsEval,
        path: "/gtm/js",
        reason: "serves a script loader at /gtm/js that evaluates caller-supplied input, so it runs attacker code when 'unsafe-eval' is allowed",
    },
    BypassHost {
        host: "mc.yandex.ru",
        kind: BypassKind::Jsonp,
        path: "/watch/24306916/1",
        reason: "serves JSONP at /watch/24306916/1 (the caller names the callback), so an injected <script src> can run attacker-chosen code",
    },
    BypassHost {
        host: "share.yandex.net",
        kind: BypassKind::Jsonp,
        path: "/counter/gpp/",
        reason: "serves JSONP at /counter/gpp/ (the caller names the callback), so an injected <script src> can run attacker-chosen code",
    },
    BypassHost {
        host: "ok.go.mail.ru",
        kind: BypassKind::Jsonp,
        path: "/lady_on_lady_recipes_r.json",
        reason: "serves JSONP at /lady_on_lady_recipes_r.json (the caller names the callback), so an injected <script src> can run attacker-chosen code",
    },
    BypassHost {
        host: "d1f69o4buvlrj5.cloudfront.net",
        kind: BypassKind::Jsonp,
        path: "/__efa_15_1_ornpba.xekq.arg/optout_check",
        reason: "serves JSONP at /__efa_15_1_ornpba.xekq.arg/optout_check (the caller names the callback), so an injected <script src> can run attacker-chosen code",
    },
    BypassHost {
        host: "www.googletagmanager.com",
        kind: BypassKind::JsonpNeedsEval,
        path: "/gtm/js",
        reason: "serves a script loader at /gtm/js that evaluates caller-supplied input, so it runs attacker code when 'unsafe-eval' is allowed",
    },
    BypassHost {
        host: "api.vk.com",
        kind: BypassKind::Jsonp,
        path: "/method/wall.get",
        reason: "serves JSONP at /method/wall.get (the caller names the callback), so an injected <script src> can run attacker-chosen code",
    },
    BypassHost {
        host: "www.sharethis.com",
        kind: BypassKind::Jsonp,
        path: "/get-publisher-info.php",
        reason: "serves JSONP at /get-publisher-info.php (the caller names the callback), so an injected <script src> can run attacker-chosen code",
    },
    BypassHost {
        host: "google.ru",
        kind: BypassKind::Jsonp,
        path: "/maps/vt",
        reason: "serves JSONP at /maps/vt (the caller names the callback), so an injected <script src> can run attacker-chosen code",
    },
    BypassHost {
        host: "pro.netrox.sc",
        kind: BypassKind::Jsonp,
        path: "/oapi/h_checksite.ashx",
        reason: "serves JSONP at /oapi/h_checksite.ashx (the caller names the callback), so an injected <script src> can run attacker-chosen code",
    },
    BypassHost {
        host: "vimeo.com",
        kind: BypassKind::Jsonp,
        path: "/api/oembed.json/",
        reason: "serves JSONP at /api/oembed.json/ (the caller names the callback), so an injected <script src> can run attacker-chosen code",
    },
    BypassHost {
        host: "de.blog.newrelic.com",
        kind: BypassKind::Jsonp,
        path: "/wp-admin/admin-ajax.php",
        reason: "serves JSONP at /wp-admin/admin-ajax.php (the caller names the callback), so an injected <script src> can run attacker-chosen code",
    },
    BypassHost {
        host: "ajax.googleapis.com",
        kind: BypassKind::Jsonp,
        path: "/ajax/services/search/news",
        reason: "serves JSONP at /ajax/services/search/news (the caller names the callback), so an injected <script src> can run attacker-chosen code",
    },
    BypassHost {
        host: "ssl.google-analytics.com",
        kind: BypassKind::JsonpNeedsEval,
        path: "/gtm/js",
        reason: "serves a script loader at /gtm/js that evaluates caller-supplied input, so it runs attacker code when 'unsafe-eval' is allowed",
    },
    BypassHost {
        host: "pubsub.pubnub.com",
        kind: BypassKind::Jsonp,
        path: "/subscribe/demo/hello_world/",
        reason: "serves JSONP at /subscribe/demo/hello_world/ (the caller names the callback), so an injected <script src> can run attacker-chosen code",
    },
    BypassHost {
        host: "pass.yandex.ua",
        kind: BypassKind::Jsonp,
        path: "/services",
        reason: "serves JSONP at /services (the caller names the callback), so an injected <script src> can run attacker-chosen code",
    },
    BypassHost {
        host: "id.rambler.ru",
        kind: BypassKind::Jsonp,
        path: "/script/topline_info.js",
        reason: "serves JSONP at /script/topline_info.js (the caller names the callback), so an injected <script src> can run attacker-chosen code",
    },
    BypassHost {
        host: "m.addthis.com",
        kind: BypassKind::Jsonp,
        path: "/live/red_lojson/100eng.json",
        reason: "serves JSONP at /live/red_lojson/100eng.json (the caller names the callback), so an injected <script src> can run attacker-chosen code",
    },
    BypassHost {
        host: "passport.ngs.ru",
        kind: BypassKind::Jsonp,
        path: "/ajax/check",
        reason: "serves JSONP at /ajax/check (the caller names the callback), so an injected <script src> can run attacker-chosen code",
    },
    BypassHost {
        host: "catalog.api.2gis.ru",
        kind: BypassKind::Jsonp,
        path: "/ads/search",
        reason: "serves JSONP at /ads/search (the caller names the callback), so an injected <script src> can run attacker-chosen code",
    },
    BypassHost {
        host: "gum.criteo.com",
        kind: BypassKind::Jsonp,
        path: "/sync",
        reason: "serves JSONP at /sync (the caller names the callback), so an injected <script src> can run attacker-chosen code",
    },
    BypassHost {
        host: "maps.google.com",
        kind: BypassKind::Jsonp,
        path: "/maps/vt",
        reason: "serves JSONP at /maps/vt (the caller names the callback), so an injected <script src> can run attacker-chosen code",
    },
    BypassHost {
        host: "ynuf.alipay.com",
        kind: BypassKind::Jsonp,
        path: "/service/um.json",
        reason: "serves JSONP at /service/um.json (the caller names the callback), so an injected <script src> can run attacker-chosen code",
    },
    BypassHost {
        host: "securepubads.g.doubleclick.net",
        kind: BypassKind::Jsonp,
        path: "/gampad/ads",
        reason: "serves JSONP at /gampad/ads (the caller names the callback), so an injected <script src> can run attacker-chosen code",
    },
    BypassHost {
        host: "c.tiles.mapbox.com",
        kind: BypassKind::Jsonp,
        path: "/v3/texastribune.tx-congress-cvap/6/15/26.grid.json",
        reason: "serves JSONP at /v3/texastribune.tx-congress-cvap/6/15/26.grid.json (the caller names the callback), so an injected <script src> can run attacker-chosen code",
    },
    BypassHost {
        host: "rexchange.begun.ru",
        kind: BypassKind::Jsonp,
        path: "/banners",
        reason: "serves JSONP at /banners (the caller names the callback), so an injected <script src> can run attacker-chosen code",
    },
    BypassHost {
        host: "an.yandex.ru",
        kind: BypassKind::Jsonp,
        path: "/page/147484",
        reason: "serves JSONP at /page/147484 (the caller names the callback), so an injected <script src> can run attacker-chosen code",
    },
    BypassHost {
        host: "links.services.disqus.com",
        kind: BypassKind::Jsonp,
        path: "/api/ping",
        reason: "serves JSONP at /api/ping (the caller names the callback), so an injected <script src> can run attacker-chosen code",
    },
    BypassHost {
        host: "api.map.baidu.com",
        kind: BypassKind::Jsonp,
        path: "/",
        reason: "serves JSONP at / (the caller names the callback), so an injected <script src> can run attacker-chosen code",
    },
    BypassHost {
        host: "tj.gongchang.com",
        kind: BypassKind::Jsonp,
        path: "/api/keywordrecomm/",
        reason: "serves JSONP at /api/keywordrecomm/ (the caller names the callback), so an injected <script src> can run attacker-chosen code",
    },
    BypassHost {
        host: "data.gongchang.com",
        kind: BypassKind::Jsonp,
        path: "/livegrail/",
        reason: "serves JSONP at /livegrail/ (the caller names the callback), so an injected <script src> can run attacker-chosen code",
    },
    BypassHost {
        host: "ulogin.ru",
        kind: BypassKind::Jsonp,
        path: "/token.php",
        reason: "serves JSONP at /token.php (the caller names the callback), so an injected <script src> can run attacker-chosen code",
    },
    BypassHost {
        host: "beta.gismeteo.ru",
        kind: BypassKind::Jsonp,
        path: "/api/informer/layout.js/120x240-3/ru/",
        reason: "serves JSONP at /api/informer/layout.js/120x240-3/ru/ (the caller names the callback), so an injected <script src> can run attacker-chosen code",
    },
    BypassHost {
        host: "maps.googleapis.com",
        kind: BypassKind::Jsonp,
        path: "/maps/api/js/GeoPhotoService.GetMetadata",
        reason: "serves JSONP at /maps/api/js/GeoPhotoService.GetMetadata (the caller names the callback), so an injected <script src> can run attacker-chosen code",
    },
    BypassHost {
        host: "a.config.skype.com",
        kind: BypassKind::Jsonp,
        path: "/config/v1/Skype/908_1.33.0.111/SkypePersonalization",
        reason: "serves JSONP at /config/v1/Skype/908_1.33.0.111/SkypePersonalization (the caller names the callback), so an injected <script src> can run attacker-chosen code",
    },
    BypassHost {
        host: "maps.beeline.ru",
        kind: BypassKind::Jsonp,
        path: "/w",
        reason: "serves JSONP at /w (the caller names the callback), so an injected <script src> can run attacker-chosen code",
    },
    BypassHost {
        host: "target.ukr.net",
        kind: BypassKind::Jsonp,
        path: "/",
        reason: "serves JSONP at / (the caller names the callback), so an injected <script src> can run attacker-chosen code",
    },
    BypassHost {
        host: "www.meteoprog.ua",
        kind: BypassKind::Jsonp,
        path: "/data/weather/informer/Poltava.js",
        reason: "serves JSONP at /data/weather/informer/Poltava.js (the caller names the callback), so an injected <script src> can run attacker-chosen code",
    },
    BypassHost {
        host: "cdn.syndication.twimg.com",
        kind: BypassKind::Jsonp,
        path: "/widgets/timelines/599200054310604802",
        reason: "serves JSONP at /widgets/timelines/599200054310604802 (the caller names the callback), so an injected <script src> can run attacker-chosen code",
    },
    BypassHost {
        host: "wslocker.ru",
        kind: BypassKind::Jsonp,
        path: "/client/user.chk.php",
        reason: "serves JSONP at /client/user.chk.php (the caller names the callback), so an injected <script src> can run attacker-chosen code",
    },
    BypassHost {
        host: "community.adobe.com",
        kind: BypassKind::Jsonp,
        path: "/CommunityPod/getJSON",
        reason: "serves JSONP at /CommunityPod/getJSON (the caller names the callback), so an injected <script src> can run attacker-chosen code",
    },
    BypassHost {
        host: "maps.google.lv",
        kind: BypassKind::Jsonp,
        path: "/maps/vt",
        reason: "serves JSONP at /maps/vt (the caller names the callback), so an injected <script src> can run attacker-chosen code",
    },
    BypassHost {
        host: "dev.virtualearth.net",
        kind: BypassKind::Jsonp,
        path: "/REST/V1/Imagery/Metadata/AerialWithLabels/26.318581",
        reason: "serves JSONP at /REST/V1/Imagery/Metadata/AerialWithLabels/26.318581 (the caller names the callback), so an injected <script src> can run attacker-chosen code",
    },
    BypassHost {
        host: "awaps.yandex.ru",
        kind: BypassKind::Jsonp,
        path: "/10/8938/02400400.",
        reason: "serves JSONP at /10/8938/02400400. (the caller names the callback), so an injected <script src> can run attacker-chosen code",
    },
    BypassHost {
        host: "a248.e.akamai.net",
        kind: BypassKind::Jsonp,
        path: "/h5.hulu.com/h5.mp4",
        reason: "serves JSONP at /h5.hulu.com/h5.mp4 (the caller names the callback), so an injected <script src> can run attacker-chosen code",
    },
    BypassHost {
        host: "nominatim.openstreetmap.org",
        kind: BypassKind::Jsonp,
        path: "/",
        reason: "serves JSONP at / (the caller names the callback), so an injected <script src> can run attacker-chosen code",
    },
    BypassHost {
        host: "plugins.mozilla.org",
        kind: BypassKind::Jsonp,
        path: "/en-us/plugins_list.json",
        reason: "serves JSONP at /en-us/plugins_list.json (the caller names the callback), so an injected <script src> can run attacker-chosen code",
    },
    BypassHost {
        host: "h.cackle.me",
        kind: BypassKind::Jsonp,
        path: "/widget/32153/bootstrap",
        reason: "serves JSONP at /widget/32153/bootstrap (the caller names the callback), so an injected <script src> can run attacker-chosen code",
    },
    BypassHost {
        host: "graph.facebook.com",
        kind: BypassKind::Jsonp,
        path: "/1/",
        reason: "serves JSONP at /1/ (the caller names the callback), so an injected <script src> can run attacker-chosen code",
    },
    BypassHost {
        host: "fellowes.ugc.bazaarvoice.com",
        kind: BypassKind::Jsonp,
        path: "/data/reviews.json",
        reason: "serves JSONP at /data/reviews.json (the caller names the callback), so an injected <script src> can run attacker-chosen code",
    },
    BypassHost {
        host: "widgets.pinterest.com",
        kind: BypassKind::Jsonp,
        path: "/v3/pidgets/boards/ciciwin/hedgehog-squirrel-crafts/pins/",
        reason: "serves JSONP at /v3/pidgets/boards/ciciwin/hedgehog-squirrel-crafts/pins/ (the caller names the callback), so an injected <script src> can run attacker-chosen code",
    },
    BypassHost {
        host: "se.wikipedia.org",
        kind: BypassKind::Jsonp,
        path: "/w/api.php",
        reason: "serves JSONP at /w/api.php (the caller names the callback), so an injected <script src> can run attacker-chosen code",
    },
    BypassHost {
        host: "cse.google.com",
        kind: BypassKind::Jsonp,
        path: "/api/007627024705277327428/cse/r3vs7b0fcli/queries/js",
        reason: "serves JSONP at /api/007627024705277327428/cse/r3vs7b0fcli/queries/js (the caller names the callback), so an injected <script src> can run attacker-chosen code",
    },
    BypassHost {
        host: "relap.io",
        kind: BypassKind::Jsonp,
        path: "/api/v2/similar_pages_jsonp.js",
        reason: "serves JSONP at /api/v2/similar_pages_jsonp.js (the caller names the callback), so an injected <script src> can run attacker-chosen code",
    },
    BypassHost {
        host: "c1n3.hypercomments.com",
        kind: BypassKind::Jsonp,
        path: "/stream/subscribe",
        reason: "serves JSONP at /stream/subscribe (the caller names the callback), so an injected <script src> can run attacker-chosen code",
    },
    BypassHost {
        host: "maps.google.de",
        kind: BypassKind::Jsonp,
        path: "/maps/vt",
        reason: "serves JSONP at /maps/vt (the caller names the callback), so an injected <script src> can run attacker-chosen code",
    },
    BypassHost {
        host: "books.google.com",
        kind: BypassKind::Jsonp,
        path: "/books",
        reason: "serves JSONP at /books (the caller names the callback), so an injected <script src> can run attacker-chosen code",
    },
    BypassHost {
        host: "connect.mail.ru",
        kind: BypassKind::Jsonp,
        path: "/share_count",
        reason: "serves JSONP at /share_count (the caller names the callback), so an injected <script src> can run attacker-chosen code",
    },
    BypassHost {
        host: "tr.indeed.com",
        kind: BypassKind::Jsonp,
        path: "/m/newjobs",
        reason: "serves JSONP at /m/newjobs (the caller names the callback), so an injected <script src> can run attacker-chosen code",
    },
    BypassHost {
        host: "www-onepick-opensocial.googleusercontent.com",
        kind: BypassKind::Jsonp,
        path: "/gadgets/proxy",
        reason: "serves JSONP at /gadgets/proxy (the caller names the callback), so an injected <script src> can run attacker-chosen code",
    },
    BypassHost {
        host: "www.panoramio.com",
        kind: BypassKind::Jsonp,
        path: "/map/get_panoramas.php",
        reason: "serves JSONP at /map/get_panoramas.php (the caller names the callback), so an injected <script src> can run attacker-chosen code",
    },
    BypassHost {
        host: "client.siteheart.com",
        kind: BypassKind::Jsonp,
        path: "/streamcli/client",
        reason: "serves JSONP at /streamcli/client (the caller names the callback), so an injected <script src> can run attacker-chosen code",
    },
    BypassHost {
        host: "www.facebook.com",
        kind: BypassKind::Jsonp,
        path: "/restserver.php",
        reason: "serves JSONP at /restserver.php (the caller names the callback), so an injected <script src> can run attacker-chosen code",
    },
    BypassHost {
        host: "autocomplete.travelpayouts.com",
        kind: BypassKind::Jsonp,
        path: "/avia",
        reason: "serves JSONP at /avia (the caller names the callback), so an injected <script src> can run attacker-chosen code",
    },
    BypassHost {
        host: "www.googleapis.com",
        kind: BypassKind::Jsonp,
        path: "/freebase/v1/topic/m/0344_",
        reason: "serves JSONP at /freebase/v1/topic/m/0344_ (the caller names the callback), so an injected <script src> can run attacker-chosen code",
    },
    BypassHost {
        host: "mts1.googleapis.com",
        kind: BypassKind::Jsonp,
        path: "/mapslt/ft",
        reason: "serves JSONP at /mapslt/ft (the caller names the callback), so an injected <script src> can run attacker-chosen code",
    },
    BypassHost {
        host: "publish.twitter.com",
        kind: BypassKind::Jsonp,
        path: "/oembed",
        reason: "serves JSONP at /oembed (the caller names the callback), so an injected <script src> can run attacker-chosen code",
    },
    BypassHost {
        host: "fast.wistia.com",
        kind: BypassKind::Jsonp,
        path: "/embed/medias/o75jtw7654.json",
        reason: "serves JSONP at /embed/medias/o75jtw7654.json (the caller names the callback), so an injected <script src> can run attacker-chosen code",
    },
    BypassHost {
        host: "partner.googleadservices.com",
        kind: BypassKind::Jsonp,
        path: "/gampad/ads",
        reason: "serves JSONP at /gampad/ads (the caller names the callback), so an injected <script src> can run attacker-chosen code",
    },
    BypassHost {
        host: "pass.yandex.ru",
        kind: BypassKind::Jsonp,
        path: "/services",
        reason: "serves JSONP at /services (the caller names the callback), so an injected <script src> can run attacker-chosen code",
    },
    BypassHost {
        host: "gupiao.baidu.com",
        kind: BypassKind::Jsonp,
        path: "/stocks/stockbets",
        reason: "serves JSONP at /stocks/stockbets (the caller names the callback), so an injected <script src> can run attacker-chosen code",
    },
    BypassHost {
        host: "widget.admitad.com",
        kind: BypassKind::Jsonp,
        path: "/widget/init",
        reason: "serves JSONP at /widget/init (the caller names the callback), so an injected <script src> can run attacker-chosen code",
    },
    BypassHost {
        host: "api.instagram.com",
        kind: BypassKind::Jsonp,
        path: "/v1/tags/partykungen23328/media/recent",
        reason: "serves JSONP at /v1/tags/partykungen23328/media/recent (the caller names the callback), so an injected <script src> can run attacker-chosen code",
    },
    BypassHost {
        host: "video.media.yql.yahoo.com",
        kind: BypassKind::Jsonp,
        path: "/v1/video/sapi/streams/063fb76c-6c70-38c5-9bbc-04b7c384de2b",
        reason: "serves JSONP at /v1/video/sapi/streams/063fb76c-6c70-38c5-9bbc-04b7c384de2b (the caller names the callback), so an injected <script src> can run attacker-chosen code",
    },
    BypassHost {
        host: "ib.adnxs.com",
        kind: BypassKind::Jsonp,
        path: "/jpt",
        reason: "serves JSONP at /jpt (the caller names the callback), so an injected <script src> can run attacker-chosen code",
    },
    BypassHost {
        host: "pass.yandex.com",
        kind: BypassKind::Jsonp,
        path: "/services",
        reason: "serves JSONP at /services (the caller names the callback), so an injected <script src> can run attacker-chosen code",
    },
    BypassHost {
        host: "www.google.de",
        kind: BypassKind::Jsonp,
        path: "/maps/vt",
        reason: "serves JSONP at /maps/vt (the caller names the callback), so an injected <script src> can run attacker-chosen code",
    },
    BypassHost {
        host: "clients1.google.com",
        kind: BypassKind::Jsonp,
        path: "/complete/search",
        reason: "serves JSONP at /complete/search (the caller names the callback), so an injected <script src> can run attacker-chosen code",
    },
    BypassHost {
        host: "api.userlike.com",
        kind: BypassKind::Jsonp,
        path: "/api/chat/slot/proactive/",
        reason: "serves JSONP at /api/chat/slot/proactive/ (the caller names the callback), so an injected <script src> can run attacker-chosen code",
    },
    BypassHost {
        host: "www.youku.com",
        kind: BypassKind::Jsonp,
        path: "/index_cookielist/s/jsonp",
        reason: "serves JSONP at /index_cookielist/s/jsonp (the caller names the callback), so an injected <script src> can run attacker-chosen code",
    },
    BypassHost {
        host: "mt1.googleapis.com",
        kind: BypassKind::Jsonp,
        path: "/mapslt/ft",
        reason: "serves JSONP at /mapslt/ft (the caller names the callback), so an injected <script src> can run attacker-chosen code",
    },
    BypassHost {
        host: "api.mixpanel.com",
        kind: BypassKind::Jsonp,
        path: "/track/",
        reason: "serves JSONP at /track/ (the caller names the callback), so an injected <script src> can run attacker-chosen code",
    },
    BypassHost {
        host: "wpd.b.qq.com",
        kind: BypassKind::Jsonp,
        path: "/cgi/get_sign.php",
        reason: "serves JSONP at /cgi/get_sign.php (the caller names the callback), so an injected <script src> can run attacker-chosen code",
    },
    BypassHost {
        host: "pipes.yahooapis.com",
        kind: BypassKind::Jsonp,
        path: "/pipes/pipe.run",
        reason: "serves JSONP at /pipes/pipe.run (the caller names the callback), so an injected <script src> can run attacker-chosen code",
    },
    BypassHost {
        host: "gdata.youtube.com",
        kind: BypassKind::Jsonp,
        path: "/feeds/api/videos/WsJIHN1kNWc",
        reason: "serves JSONP at /feeds/api/videos/WsJIHN1kNWc (the caller names the callback), so an injected <script src> can run attacker-chosen code",
    },
    BypassHost {
        host: "9.chart.apis.google.com",
        kind: BypassKind::Jsonp,
        path: "/chart",
        reason: "serves JSONP at /chart (the caller names the callback), so an injected <script src> can run attacker-chosen code",
    },
    BypassHost {
        host: "cdn.syndication.twitter.com",
        kind: BypassKind::Jsonp,
        path: "/moments/709229296800440320",
        reason: "serves JSONP at /moments/709229296800440320 (the caller names the callback), so an injected <script src> can run attacker-chosen code",
    },
    BypassHost {
        host: "api.flickr.com",
        kind: BypassKind::Jsonp,
        path: "/services/feeds/photos_friends.gne",
        reason: "serves JSONP at /services/feeds/photos_friends.gne (the caller names the callback), so an injected <script src> can run attacker-chosen code",
    },
    BypassHost {
        host: "cbks0.googleapis.com",
        kind: BypassKind::Jsonp,
        path: "/cbk",
        reason: "serves JSONP at /cbk (the caller names the callback), so an injected <script src> can run attacker-chosen code",
    },
    BypassHost {
        host: "www.blogger.com",
        kind: BypassKind::Jsonp,
        path: "/feeds/5578653387562324002/posts/summary/4427562025302749269",
        reason: "serves JSONP at /feeds/5578653387562324002/posts/summary/4427562025302749269 (the caller names the callback), so an injected <script src> can run attacker-chosen code",
    },
    BypassHost {
        host: "query.yahooapis.com",
        kind: BypassKind::Jsonp,
        path: "/v1/public/yql",
        reason: "serves JSONP at /v1/public/yql (the caller names the callback), so an injected <script src> can run attacker-chosen code",
    },
    BypassHost {
        host: "kecngantang.blogspot.com",
        kind: BypassKind::Jsonp,
        path: "/feeds/posts/default/-/Komik",
        reason: "serves JSONP at /feeds/posts/default/-/Komik (the caller names the callback), so an injected <script src> can run attacker-chosen code",
    },
    BypassHost {
        host: "www.travelpayouts.com",
        kind: BypassKind::Jsonp,
        path: "/widgets/50f53ce9ada1b54bcc000031.json",
        reason: "serves JSONP at /widgets/50f53ce9ada1b54bcc000031.json (the caller names the callback), so an injected <script src> can run attacker-chosen code",
    },
    BypassHost {
        host: "i.cackle.me",
        kind: BypassKind::Jsonp,
        path: "/widget/32586/bootstrap",
        reason: "serves JSONP at /widget/32586/bootstrap (the caller names the callback), so an injected <script src> can run attacker-chosen code",
    },
    BypassHost {
        host: "translate.yandex.net",
        kind: BypassKind::Jsonp,
        path: "/api/v1.5/tr.json/detect",
        reason: "serves JSONP at /api/v1.5/tr.json/detect (the caller names the callback), so an injected <script src> can run attacker-chosen code",
    },
    BypassHost {
        host: "a.tiles.mapbox.com",
        kind: BypassKind::Jsonp,
        path: "/v3/zentralmedia.map-n2raeauc.jsonp",
        reason: "serves JSONP at /v3/zentralmedia.map-n2raeauc.jsonp (the caller names the callback), so an injected <script src> can run attacker-chosen code",
    },
    BypassHost {
        host: "maps.google.ru",
        kind: BypassKind::Jsonp,
        path: "/maps/vt",
        reason: "serves JSONP at /maps/vt (the caller names the callback), so an injected <script src> can run attacker-chosen code",
    },
    BypassHost {
        host: "c1n2.hypercomments.com",
        kind: BypassKind::Jsonp,
        path: "/stream/subscribe",
        reason: "serves JSONP at /stream/subscribe (the caller names the callback), so an injected <script src> can run attacker-chosen code",
    },
    BypassHost {
        host: "rec.ydf.yandex.ru",
        kind: BypassKind::Jsonp,
        path: "/cookie",
        reason: "serves JSONP at /cookie (the caller names the callback), so an injected <script src> can run attacker-chosen code",
    },
    BypassHost {
        host: "google-analytics.com",
        kind: BypassKind::JsonpNeedsEval,
        path: "/gtm/js",
        reason: "serves a script loader at /gtm/js that evaluates caller-supplied input, so it runs attacker code when 'unsafe-eval' is allowed",
    },
    BypassHost {
        host: "gstatic.com",
        kind: BypassKind::AngularJs,
        path: "/fsn/angular_js-bundle1.js",
        reason: "hosts AngularJS (/fsn/angular_js-bundle1.js); once loaded, template expressions in injected HTML run as script",
    },
    BypassHost {
        host: "www.gstatic.com",
        kind: BypassKind::AngularJs,
        path: "/fsn/angular_js-bundle1.js",
        reason: "hosts AngularJS (/fsn/angular_js-bundle1.js); once loaded, template expressions in injected HTML run as script",
    },
    BypassHost {
        host: "www.googleadservices.com",
        kind: BypassKind::AngularJs,
        path: "/pageadimg/imgad",
        reason: "hosts AngularJS (/pageadimg/imgad); once loaded, template expressions in injected HTML run as script",
    },
    BypassHost {
        host: "yandex.st",
        kind: BypassKind::AngularJs,
        path: "/angularjs/1.2.16/angular-cookies.min.js",
        reason: "hosts AngularJS (/angularjs/1.2.16/angular-cookies.min.js); once loaded, template expressions in injected HTML run as script",
    },
    BypassHost {
        host: "yastatic.net",
        kind: BypassKind::AngularJs,
        path: "/angularjs/1.2.23/angular.min.js",
        reason: "hosts AngularJS (/angularjs/1.2.23/angular.min.js); once loaded, template expressions in injected HTML run as script",
    },
    BypassHost {
        host: "yuedust.yuedu.126.net",
        kind: BypassKind::AngularJs,
        path: "/js/components/angular/angular.js",
        reason: "hosts AngularJS (/js/components/angular/angular.js); once loaded, template expressions in injected HTML run as script",
    },
    BypassHost {
        host: "art.jobs.netease.com",
        kind: BypassKind::AngularJs,
        path: "/script/angular.js",
        reason: "hosts AngularJS (/script/angular.js); once loaded, template expressions in injected HTML run as script",
    },
    BypassHost {
        host: "csu-c45.kxcdn.com",
        kind: BypassKind::AngularJs,
        path: "/angular/angular.js",
        reason: "hosts AngularJS (/angular/angular.js); once loaded, template expressions in injected HTML run as script",
    },
    BypassHost {
        host: "elysiumwebsite.s3.amazonaws.com",
        kind: BypassKind::AngularJs,
        path: "/uploads/blog-media/rockstar/angular.min.js",
        reason: "hosts AngularJS (/uploads/blog-media/rockstar/angular.min.js); once loaded, template expressions in injected HTML run as script",
    },
    BypassHost {
        host: "inno.blob.core.windows.net",
        kind: BypassKind::AngularJs,
        path: "/new/libs/AngularJS/1.2.1/angular.min.js",
        reason: "hosts AngularJS (/new/libs/AngularJS/1.2.1/angular.min.js); once loaded, template expressions in injected HTML run as script",
    },
    BypassHost {
        host: "gift-talk.kakao.com",
        kind: BypassKind::AngularJs,
        path: "/public/javascripts/angular.min.js",
        reason: "hosts AngularJS (/public/javascripts/angular.min.js); once loaded, template expressions in injected HTML run as script",
    },
    BypassHost {
        host: "ajax.googleapis.com",
        kind: BypassKind::AngularJs,
        path: "/ajax/libs/angularjs/1.2.0rc1/angular-route.min.js",
        reason: "hosts AngularJS (/ajax/libs/angularjs/1.2.0rc1/angular-route.min.js); once loaded, template expressions in injected HTML run as script",
    },
    BypassHost {
        host: "master-sumok.ru",
        kind: BypassKind::AngularJs,
        path: "/vendors/angular/angular-cookies.js",
        reason: "hosts AngularJS (/vendors/angular/angular-cookies.js); once loaded, template expressions in injected HTML run as script",
    },
    BypassHost {
        host: "ayicommon-a.akamaihd.net",
        kind: BypassKind::AngularJs,
        path: "/static/vendor/angular-1.4.2.min.js",
        reason: "hosts AngularJS (/static/vendor/angular-1.4.2.min.js); once loaded, template expressions in injected HTML run as script",
    },
    BypassHost {
        host: "pangxiehaitao.com",
        kind: BypassKind::AngularJs,
        path: "/framework/angular-1.3.9/angular-animate.min.js",
        reason: "hosts AngularJS (/framework/angular-1.3.9/angular-animate.min.js); once loaded, template expressions in injected HTML run as script",
    },
    BypassHost {
        host: "cdnjs.cloudflare.com",
        kind: BypassKind::AngularJs,
        path: "/ajax/libs/angular.js/1.2.16/angular.min.js",
        reason: "hosts AngularJS (/ajax/libs/angular.js/1.2.16/angular.min.js); once loaded, template expressions in injected HTML run as script",
    },
    BypassHost {
        host: "96fe3ee995e96e922b6b-d10c35bd0a0de2c718b252bc575fdb73.ssl.cf1.rackcdn.com",
        kind: BypassKind::AngularJs,
        path: "/angular.js",
        reason: "hosts AngularJS (/angular.js); once loaded, template expressions in injected HTML run as script",
    },
    BypassHost {
        host: "oss.maxcdn.com",
        kind: BypassKind::AngularJs,
        path: "/angularjs/1.2.20/angular.min.js",
        reason: "hosts AngularJS (/angularjs/1.2.20/angular.min.js); once loaded, template expressions in injected HTML run as script",
    },
    BypassHost {
        host: "reports.zemanta.com",
        kind: BypassKind::AngularJs,
        path: "/smedia/common/angularjs/1.2.11/angular.js",
        reason: "hosts AngularJS (/smedia/common/angularjs/1.2.11/angular.js); once loaded, template expressions in injected HTML run as script",
    },
    BypassHost {
        host: "cdn.shopify.com",
        kind: BypassKind::AngularJs,
        path: "/s/files/1/0225/6463/t/1/assets/angular-animate.min.js",
        reason: "hosts AngularJS (/s/files/1/0225/6463/t/1/assets/angular-animate.min.js); once loaded, template expressions in injected HTML run as script",
    },
    BypassHost {
        host: "parademanagement.com.s3-website-ap-southeast-1.amazonaws.com",
        kind: BypassKind::AngularJs,
        path: "/js/angular.min.js",
        reason: "hosts AngularJS (/js/angular.min.js); once loaded, template expressions in injected HTML run as script",
    },
    BypassHost {
        host: "cdn.jsdelivr.net",
        kind: BypassKind::AngularJs,
        path: "/angularjs/1.1.2/angular.min.js",
        reason: "hosts AngularJS (/angularjs/1.1.2/angular.min.js); once loaded, template expressions in injected HTML run as script",
    },
    BypassHost {
        host: "eb2883ede55c53e09fd5-9c145fb03d93709ea57875d307e2d82e.ssl.cf3.rackcdn.com",
        kind: BypassKind::AngularJs,
        path: "/components/angular-resource.min.js",
        reason: "hosts AngularJS (/components/angular-resource.min.js); once loaded, template expressions in injected HTML run as script",
    },
    BypassHost {
        host: "andors-trail.googlecode.com",
        kind: BypassKind::AngularJs,
        path: "/git/AndorsTrailEdit/lib/angular.min.js",
        reason: "hosts AngularJS (/git/AndorsTrailEdit/lib/angular.min.js); once loaded, template expressions in injected HTML run as script",
    },
    BypassHost {
        host: "cdn.walkme.com",
        kind: BypassKind::AngularJs,
        path: "/General/EnvironmentTests/angular/angular.min.js",
        reason: "hosts AngularJS (/General/EnvironmentTests/angular/angular.min.js); once loaded, template expressions in injected HTML run as script",
    },
    BypassHost {
        host: "laundrymail.com",
        kind: BypassKind::AngularJs,
        path: "/angular/angular.js",
        reason: "hosts AngularJS (/angular/angular.js); once loaded, template expressions in injected HTML run as script",
    },
    BypassHost {
        host: "s3-eu-west-1.amazonaws.com",
        kind: BypassKind::AngularJs,
        path: "/staticancpa/js/angular-cookies.min.js",
        reason: "hosts AngularJS (/staticancpa/js/angular-cookies.min.js); once loaded, template expressions in injected HTML run as script",
    },
    BypassHost {
        host: "collade.demo.stswp.com",
        kind: BypassKind::AngularJs,
        path: "/js/vendor/angular.min.js",
        reason: "hosts AngularJS (/js/vendor/angular.min.js); once loaded, template expressions in injected HTML run as script",
    },
    BypassHost {
        host: "mrfishie.github.io",
        kind: BypassKind::AngularJs,
        path: "/sailor/bower_components/angular/angular.min.js",
        reason: "hosts AngularJS (/sailor/bower_components/angular/angular.min.js); once loaded, template expressions in injected HTML run as script",
    },
    BypassHost {
        host: "askgithub.com",
        kind: BypassKind::AngularJs,
        path: "/static/js/angular.min.js",
        reason: "hosts AngularJS (/static/js/angular.min.js); once loaded, template expressions in injected HTML run as script",
    },
    BypassHost {
        host: "services.amazon.com",
        kind: BypassKind::AngularJs,
        path: "/solution-providers/assets/vendor/angular-cookies.min.js",
        reason: "hosts AngularJS (/solution-providers/assets/vendor/angular-cookies.min.js); once loaded, template expressions in injected HTML run as script",
    },
    BypassHost {
        host: "raw.githubusercontent.com",
        kind: BypassKind::AngularJs,
        path: "/angular/code.angularjs.org/master/1.0.7/angular-resource.js",
        reason: "hosts AngularJS (/angular/code.angularjs.org/master/1.0.7/angular-resource.js); once loaded, template expressions in injected HTML run as script",
    },
    BypassHost {
        host: "prb-resume.appspot.com",
        kind: BypassKind::AngularJs,
        path: "/bower_components/angular-animate/angular-animate.js",
        reason: "hosts AngularJS (/bower_components/angular-animate/angular-animate.js); once loaded, template expressions in injected HTML run as script",
    },
    BypassHost {
        host: "dl.dropboxusercontent.com",
        kind: BypassKind::AngularJs,
        path: "/u/30877786/angular.min.js",
        reason: "hosts AngularJS (/u/30877786/angular.min.js); once loaded, template expressions in injected HTML run as script",
    },
    BypassHost {
        host: "static.tumblr.com",
        kind: BypassKind::AngularJs,
        path: "/x5qdx0r/nPOnngtff/angular-resource.min_1_.js",
        reason: "hosts AngularJS (/x5qdx0r/nPOnngtff/angular-resource.min_1_.js); once loaded, template expressions in injected HTML run as script",
    },
    BypassHost {
        host: "storage.googleapis.com",
        kind: BypassKind::AngularJs,
        path: "/assets-prod.urbansitter.net/us-sym/assets/vendor/angular-sanitize/angular-sanitize.min.js",
        reason: "hosts AngularJS (/assets-prod.urbansitter.net/us-sym/assets/vendor/angular-sanitize/angular-sanitize.min.js); once loaded, template expressions in injected HTML run as script",
    },
    BypassHost {
        host: "twitter.github.io",
        kind: BypassKind::AngularJs,
        path: "/labella.js/bower_components/angular/angular.min.js",
        reason: "hosts AngularJS (/labella.js/bower_components/angular/angular.min.js); once loaded, template expressions in injected HTML run as script",
    },
    BypassHost {
        host: "cdn2-casinoroom.global.ssl.fastly.net",
        kind: BypassKind::AngularJs,
        path: "/js/lib/angular-animate.min.js",
        reason: "hosts AngularJS (/js/lib/angular-animate.min.js); once loaded, template expressions in injected HTML run as script",
    },
    BypassHost {
        host: "www.adobe.com",
        kind: BypassKind::AngularJs,
        path: "/devnet-apps/flashshowcase/lib/angular/angular.1.1.5.min.js",
        reason: "hosts AngularJS (/devnet-apps/flashshowcase/lib/angular/angular.1.1.5.min.js); once loaded, template expressions in injected HTML run as script",
    },
    BypassHost {
        host: "eternal-sunset.herokuapp.com",
        kind: BypassKind::AngularJs,
        path: "/bower_components/angular/angular.js",
        reason: "hosts AngularJS (/bower_components/angular/angular.js); once loaded, template expressions in injected HTML run as script",
    },
    BypassHost {
        host: "cdn.bootcss.com",
        kind: BypassKind::AngularJs,
        path: "/angular.js/1.2.0/angular.min.js",
        reason: "hosts AngularJS (/angular.js/1.2.0/angular.min.js); once loaded, template expressions in injected HTML run as script",
    },
    BypassHost {
        host: "vk.com",
        kind: BypassKind::Flash,
        path: "/swf/video.swf",
        reason: "hosts a Flash file (/swf/video.swf) that can run script when embedded through <object>",
    },
    BypassHost {
        host: "ajax.googleapis.com",
        kind: BypassKind::Flash,
        path: "/ajax/libs/yui/2.8.0r4/build/charts/assets/charts.swf",
        reason: "hosts a Flash file (/ajax/libs/yui/2.8.0r4/build/charts/assets/charts.swf) that can run script when embedded through <object>",
    },
];

#[cfg(test)]
mod tests {
    #[test]
    fn table_lookups() {
        use super::*;
        assert!(bypasses_for("ajax.googleapis.com")
            .iter()
            .any(|b| b.kind == BypassKind::AngularJs));
        let b = &bypass_hosts()[0];
        assert!(!b.host.is_empty() && b.path.starts_with('/') && !b.reason.is_empty());
        assert!(bypass_hosts().iter().any(|b| b.host == "cdn.jsdelivr.net"));
        assert!(!bypasses_for("*.herokuapp.com").is_empty());
        assert!(!bypasses_for("https://cdn.jsdelivr.net").is_empty());
        assert!(bypasses_for("cdn.example.com").is_empty());
        assert_eq!(bypasses_for("https:").len(), bypass_hosts().len());
    }

    use super::*;

    #[test]
    fn matching_rules() {
        assert!(bypasses_for("*.herokuapp.com")
            .iter()
            .any(|b| b.host == "eternal-sunset.herokuapp.com"));
        assert!(bypasses_for("herokuapp.com").is_empty());
        assert!(bypasses_for("*.jsdelivr.net")
            .iter()
            .any(|b| b.kind == BypassKind::AngularJs));
        assert!(!bypasses_for("https://ajax.googleapis.com:443").is_empty());
        assert!(!bypasses_for("ajax.googleapis.com:*").is_empty());
        assert!(!bypasses_for("AJAX.googleapis.com/ajax/libs/").is_empty());
        assert!(bypasses_for("ajax.googleapis.com/mylib/").is_empty());
        assert!(
            bypasses_for("ajax.googleapis.com/ajax/libs/angularjs/1.2.0rc1/angular-route.min.js")
                .len()
                == 1
        );
        assert!(bypasses_for("data:").is_empty());
        assert!(bypasses_for("*.example.com").is_empty());
        assert_eq!(bypasses_for("*").len(), bypass_hosts().len());
        assert!(bypasses_for("[::1]:8080").is_empty());
        assert!(bypasses_for("").is_empty());
    }

    #[test]
    fn table_is_well_formed() {
        for b in bypass_hosts() {
            assert_eq!(b.host, b.host.to_ascii_lowercase());
            assert!(b.path.starts_with('/'), "{b:?}");
            assert!(b.reason.len() > 30, "{b:?}");
        }
    }

    /// Every URL in Google's CSP Evaluator lists must be covered, with the right kind.
    #[test]
    fn covers_google_csp_evaluator_lists() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/data/csp-allowlist-bypasses");
        if !dir.is_dir() {
            println!("SKIP: {} is missing", dir.display());
            return;
        }
        let read = |name: &str| -> serde_json::Value {
            let text = std::fs::read_to_string(dir.join(name)).expect("readable data file");
            serde_json::from_str(&text).expect("valid JSON")
        };
        let strings = |v: &serde_json::Value, key: &str| -> Vec<String> {
            v[key]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|x| x.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default()
        };
        let host_of = |url: &str| -> String {
            let rest = url
                .trim_start_matches("https:")
                .trim_start_matches("http:")
                .trim_start_matches("//");
            rest.split('/').next().unwrap_or("").to_ascii_lowercase()
        };
        let jsonp = read("jsonp.json");
        let needs_eval = strings(&jsonp, "needsEval");
        let mut checked = 0;
        let mut check = |host: &str, kind: BypassKind| {
            assert!(
                bypasses_for(host).iter().any(|b| b.kind == kind),
                "{host} not covered as {kind:?}"
            );
            checked += 1;
        };
        for url in strings(&jsonp, "urls") {
            let h = host_of(&url);
            let kind = if needs_eval.contains(&h) {
                BypassKind::JsonpNeedsEval
            } else {
                BypassKind::Jsonp
            };
            check(&h, kind);
        }
        for h in &needs_eval {
            check(h, BypassKind::JsonpNeedsEval);
        }
        for url in strings(&read("angular.json"), "urls") {
            check(&host_of(&url), BypassKind::AngularJs);
        }
        for url in strings(&read("flash.json"), "urls") {
            check(&host_of(&url), BypassKind::Flash);
        }
        assert!(checked >= 170, "only {checked} entries checked");
    }
}
