//! The client's address, as login throttling counts it: the TCP peer, unless the peer is a
//! configured trusted reverse proxy (`serve --trusted-proxy`), in which case `X-Forwarded-For`
//! is read from the right, skipping trusted hops, and the first untrusted hop is the client. A
//! header sent by anyone else is ignored. IPv6 clients are counted by their /64 network, which
//! one subscriber usually holds whole.

use crate::AppState;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::HeaderMap;
use axum::http::request::Parts;
use ipnet::IpNet;
use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
use std::str::FromStr;

/// A reverse proxy whose `X-Forwarded-For` is believed: one address or a CIDR block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrustedProxy(IpNet);

impl FromStr for TrustedProxy {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim();
        let net: Option<IpNet> = if text.contains('/') {
            IpNet::from_str(text).ok().map(|net| net.trunc())
        } else {
            IpAddr::from_str(text).ok().map(IpNet::from)
        };
        net.map(TrustedProxy).ok_or_else(|| {
            format!("“{text}”不是有效的 IP 地址或 CIDR 网段（如 10.0.0.1 或 10.0.0.0/8）")
        })
    }
}

impl TrustedProxy {
    fn contains(&self, address: &IpAddr) -> bool {
        self.0.contains(address)
    }
}

/// The client address of a request, as a throttling key ("" when not known).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientAddress(pub String);

impl FromRequestParts<AppState> for ClientAddress {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Infallible> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(peer)| peer.ip());
        Ok(ClientAddress(
            client_ip(peer, &parts.headers, &state.trusted_proxies)
                .map(throttle_key)
                .unwrap_or_default(),
        ))
    }
}

/// The client's IP: the peer, or — when the peer is a trusted proxy — the rightmost untrusted
/// hop of `X-Forwarded-For` (should a hop not read as an address, the last trusted one).
fn client_ip(
    peer: Option<IpAddr>,
    headers: &HeaderMap,
    trusted: &[TrustedProxy],
) -> Option<IpAddr> {
    let peer = peer?.to_canonical();
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|t| t.contains(ip));
    if !is_trusted(&peer) {
        return Some(peer);
    }
    let hops: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    let mut client = peer;
    for hop in hops.iter().rev() {
        let Some(ip) = parse_hop(hop) else {
            return Some(client);
        };
        client = ip;
        if !is_trusted(&ip) {
            return Some(ip);
        }
    }
    Some(client)
}

/// One hop: an address, possibly with a port (`1.2.3.4:5678`, `[2001:db8::1]:443`).
fn parse_hop(hop: &str) -> Option<IpAddr> {
    IpAddr::from_str(hop)
        .ok()
        .or_else(|| SocketAddr::from_str(hop).ok().map(|s| s.ip()))
        .map(|ip| ip.to_canonical())
}

/// How an address is counted: IPv4 as is, IPv6 by its /64 network.
fn throttle_key(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => ipnet::Ipv6Net::new(v6, 64)
            .map(|net| net.trunc().to_string())
            .unwrap_or_else(|_| v6.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(forwarded: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for value in forwarded {
            headers.append(
                "x-forwarded-for",
                HeaderValue::from_str(value).expect("header"),
            );
        }
        headers
    }

    fn ip(text: &str) -> Option<IpAddr> {
        IpAddr::from_str(text).ok()
    }

    #[test]
    fn forwarded_for_counts_only_behind_a_trusted_proxy() {
        let trusted: Vec<TrustedProxy> = ["10.0.0.0/8", "192.168.1.5"]
            .iter()
            .map(|t| t.parse().expect("proxy"))
            .collect();
        let forged = headers(&["6.6.6.6"]);
        assert_eq!(
            client_ip(ip("8.8.8.8"), &forged, &trusted),
            ip("8.8.8.8"),
            "untrusted peer"
        );
        assert_eq!(client_ip(ip("10.1.2.3"), &forged, &trusted), ip("6.6.6.6"));
        // The client can put anything on the left; the rightmost untrusted hop is the client.
        let chain = headers(&["1.1.1.1, 7.7.7.7", "192.168.1.5"]);
        assert_eq!(client_ip(ip("10.1.2.3"), &chain, &trusted), ip("7.7.7.7"));
        let garbage = headers(&["not-an-ip, 192.168.1.5"]);
        assert_eq!(
            client_ip(ip("10.1.2.3"), &garbage, &trusted),
            ip("192.168.1.5")
        );
        assert_eq!(
            client_ip(ip("10.1.2.3"), &HeaderMap::new(), &trusted),
            ip("10.1.2.3")
        );
        assert_eq!(parse_hop("[2001:db8::1]:443"), ip("2001:db8::1"));
        assert_eq!(parse_hop("::ffff:1.2.3.4"), ip("1.2.3.4"));
        assert!("10.0.0.0/33".parse::<TrustedProxy>().is_err());
        assert!("localhost".parse::<TrustedProxy>().is_err());
    }

    #[test]
    fn ipv6_clients_are_counted_by_their_network() {
        assert_eq!(throttle_key(IpAddr::from([127, 0, 0, 1])), "127.0.0.1");
        let a = ip("2001:db8:1:2:aaaa::1").expect("ip");
        let b = ip("2001:db8:1:2:bbbb::9").expect("ip");
        assert_eq!(throttle_key(a), "2001:db8:1:2::/64");
        assert_eq!(throttle_key(a), throttle_key(b));
    }
}
