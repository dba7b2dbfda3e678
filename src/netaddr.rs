//! Hosts and https URLs that clients supply, read the way a WHATWG URL parser reads them (every
//! browser, workerd and Node do), and classified as public or not.
//!
//! The WHATWG parser accepts IPv4 addresses in many spellings: `2130706433`, `0x7f000001`,
//! `0177.0.0.1`, `127.1` and `127.0.0.1.` all name `127.0.0.1`. [`Host::parse`] reads them the
//! same way, so a literal address cannot hide behind its spelling, and [`Host`]'s `Display` gives
//! the one canonical spelling that is then fetched.

use crate::error::ErrorCode;
use crate::picture::check_https_url;
use crate::wire::HEX_LOWER;
use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

/// Longest host name (DNS).
const NAME_MAX: usize = 253;
/// Longest label of a host name (DNS).
const LABEL_MAX: usize = 63;

/// A URL's host: a DNS name (lower case, without a trailing dot) or a literal address.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Host {
    /// A DNS name such as `images.example.com`.
    Name(String),
    /// An IPv4 address, whatever its spelling was.
    V4(Ipv4Addr),
    /// A bracketed IPv6 address.
    V6(Ipv6Addr),
}

impl fmt::Display for Host {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Host::Name(name) => f.write_str(name),
            // Octet by octet: the standard library's `Display` of the address is 0.6 KB of code.
            Host::V4(ip) => {
                let [a, b, c, d] = ip.octets().map(u32::from);
                write!(f, "{a}.{b}.{c}.{d}")
            }
            Host::V6(ip) => write!(f, "[{}]", ipv6_text(ip)),
        }
    }
}

/// An IPv6 address as the WHATWG URL serializer writes it: lower-case hexadecimal pieces without
/// leading zeros, the first longest run of two or more zero pieces written `::` (an IPv4-mapped
/// address too: `::ffff:7f00:1`). Written by hand: the standard library's `Display`, which
/// spells mapped addresses the other way, is 1.6 KB of the Worker's code.
fn ipv6_text(ip: &Ipv6Addr) -> String {
    let pieces = ip.segments();
    let (mut run_start, mut run_len, mut at) = (pieces.len(), 1, 0);
    while at < pieces.len() {
        let zeros = pieces[at..].iter().take_while(|piece| **piece == 0).count();
        if zeros > run_len {
            (run_start, run_len) = (at, zeros);
        }
        at += zeros.max(1);
    }
    let mut text = String::new();
    let mut at = 0;
    while at < pieces.len() {
        if at == run_start {
            text.push_str(if at == 0 { "::" } else { ":" });
            at += run_len;
            continue;
        }
        let piece = pieces[at];
        let width = (1..4).rev().find(|nibble| piece >> (nibble * 4) != 0).unwrap_or(0) + 1;
        for nibble in (0..width).rev() {
            text.push(char::from(HEX_LOWER[usize::from((piece >> (nibble * 4)) & 0xf)]));
        }
        if at + 1 < pieces.len() {
            text.push(':');
        }
        at += 1;
    }
    text
}

/// An IPv6 address read as the WHATWG URL parser reads one (eight pieces of one to four
/// hexadecimal digits, one `::` for a run of one or more zero pieces, the last two pieces
/// optionally written as a dotted IPv4 address without leading zeros); `None` for anything else.
/// Written by hand: the standard library's parser, which reads the same addresses (a property
/// test holds them to it), is 3 KB of the Worker's code. Settings' URLs are read with it too.
pub fn parse_ipv6(text: &str) -> Option<Ipv6Addr> {
    let bytes = text.as_bytes();
    let mut pieces = [0u16; 8];
    let (mut filled, mut compress, mut at) = (0, None, 0);
    if bytes.first() == Some(&b':') {
        if bytes.get(1) != Some(&b':') {
            return None;
        }
        (at, filled, compress) = (2, 1, Some(1));
    }
    while at < bytes.len() {
        if filled == 8 {
            return None;
        }
        if bytes[at] == b':' {
            if compress.is_some() {
                return None;
            }
            // `::` stands for one zero piece at least: its first is skipped here, the others
            // are made room for at the end.
            (at, filled) = (at + 1, filled + 1);
            compress = Some(filled);
            continue;
        }
        let digits = bytes[at..].iter().take(4).take_while(|b| b.is_ascii_hexdigit()).count();
        if bytes.get(at + digits) == Some(&b'.') {
            // The last two pieces as a dotted IPv4 address.
            if digits == 0 || filled > 6 {
                return None;
            }
            let [a, b, c, d] = dotted_quad(&text[at..])?;
            pieces[filled] = u16::from_be_bytes([a, b]);
            pieces[filled + 1] = u16::from_be_bytes([c, d]);
            filled += 2;
            break;
        }
        pieces[filled] = u16::from_str_radix(&text[at..at + digits], 16).ok()?;
        filled += 1;
        at += digits;
        match bytes.get(at) {
            None => {}
            Some(b':') if at + 1 < bytes.len() => at += 1,
            Some(_) => return None,
        }
    }
    match compress {
        Some(start) => {
            let moved = filled - start;
            pieces.copy_within(start..filled, 8 - moved);
            pieces[start..8 - moved].fill(0);
        }
        None if filled != 8 => return None,
        None => {}
    }
    Some(Ipv6Addr::from(pieces))
}

/// Four decimal numbers below 256 without leading zeros, dot-separated (an IPv4 address inside an
/// IPv6 one).
fn dotted_quad(text: &str) -> Option<[u8; 4]> {
    let mut quad = [0u8; 4];
    let mut numbers = text.split('.');
    for byte in &mut quad {
        let number = numbers.next()?;
        let plain = !number.is_empty() && number.bytes().all(|b| b.is_ascii_digit());
        if !plain || (number.len() > 1 && number.starts_with('0')) {
            return None;
        }
        *byte = number.parse().ok()?;
    }
    numbers.next().is_none().then_some(quad)
}

/// One IPv4 number of a host (`0x7f`, `0177`, `127`), as the WHATWG parser reads it: any number
/// of leading zeros (`0x00…01` is 1), and a value past `u64` read as `u64::MAX` (too large for an
/// address either way, never a name).
fn ipv4_number(part: &str) -> Option<u64> {
    let (digits, radix) = match part.strip_prefix("0x") {
        Some(hex) => (hex, 16),
        None if part.len() > 1 && part.starts_with('0') => (&part[1..], 8),
        None => (part, 10),
    };
    if digits.is_empty() {
        return (radix == 16).then_some(0); // `0x` alone is zero
    }
    if !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let significant = &digits[digits.bytes().take_while(|b| *b == b'0').count()..];
    match significant {
        "" => Some(0),
        _ => Some(u64::from_str_radix(significant, radix).unwrap_or(u64::MAX)),
    }
}

/// Whether the last label makes the host an IPv4 address (the WHATWG "ends in a number" rule).
fn ends_in_a_number(last: &str) -> bool {
    !last.is_empty() && (last.bytes().all(|b| b.is_ascii_digit()) || ipv4_number(last).is_some())
}

/// Parses 1 to 4 IPv4 numbers: all but the last below 256, the last filling the remaining bytes.
fn parse_ipv4(parts: &[&str]) -> Option<Ipv4Addr> {
    if parts.is_empty() || parts.len() > 4 {
        return None;
    }
    let numbers: Vec<u64> = parts.iter().map(|p| ipv4_number(p)).collect::<Option<_>>()?;
    let (last, init) = numbers.split_last()?;
    if init.iter().any(|n| *n > 255) || *last >= 1u64 << (8 * (5 - numbers.len())) {
        return None;
    }
    let value = init.iter().enumerate().fold(*last, |acc, (i, n)| acc + (n << (8 * (3 - i))));
    u32::try_from(value).ok().map(Ipv4Addr::from)
}

impl Host {
    /// Parses a URL's host (without the port). Errors say why, without the field name.
    pub fn parse(raw: &str) -> Result<Host, &'static str> {
        if let Some(inner) = raw.strip_prefix('[') {
            let inner = inner.strip_suffix(']').ok_or("an IPv6 address must be closed with ']'")?;
            return parse_ipv6(inner).map(Host::V6).ok_or("not a valid IPv6 address");
        }
        let lower = raw.to_ascii_lowercase();
        if lower.is_empty() || !lower.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.') {
            return Err("the host may hold only letters, digits, '-' and '.'");
        }
        // One trailing dot names the same host (`localhost.` is `localhost`).
        let name = lower.strip_suffix('.').unwrap_or(&lower);
        let labels: Vec<&str> = name.split('.').collect();
        if labels.iter().any(|l| l.is_empty()) {
            return Err("the host has an empty label");
        }
        if labels.last().is_some_and(|last| ends_in_a_number(last)) {
            return parse_ipv4(&labels).map(Host::V4).ok_or("not a valid IPv4 address");
        }
        if name.len() > NAME_MAX || labels.iter().any(|l| l.len() > LABEL_MAX || l.starts_with('-') || l.ends_with('-'))
        {
            return Err("not a valid host name");
        }
        Ok(Host::Name(name.to_owned()))
    }

    /// Why this host is not on the public internet, or `None` when it is.
    pub fn non_public(&self) -> Option<&'static str> {
        match self {
            Host::V4(ip) => ipv4_non_public(*ip),
            Host::V6(ip) => ipv6_non_public(*ip),
            Host::Name(name) => name_non_public(name),
        }
    }
}

/// IPv4 ranges that are not public (RFC 6890 and the cloud metadata range), with the reason.
const IPV4_NON_PUBLIC: [([u8; 4], u8, &str); 15] = [
    ([0, 0, 0, 0], 8, "an unspecified ('this network') address"),
    ([10, 0, 0, 0], 8, "a private address"),
    ([100, 64, 0, 0], 10, "a shared (carrier-grade NAT) address"),
    ([127, 0, 0, 0], 8, "a loopback address"),
    ([169, 254, 0, 0], 16, "a link-local address (cloud metadata lives here)"),
    ([172, 16, 0, 0], 12, "a private address"),
    ([192, 0, 0, 0], 24, "an IETF protocol address"),
    ([192, 0, 2, 0], 24, "a documentation address"),
    ([192, 88, 99, 0], 24, "a 6to4 relay address"),
    ([192, 168, 0, 0], 16, "a private address"),
    ([198, 18, 0, 0], 15, "a benchmarking address"),
    ([198, 51, 100, 0], 24, "a documentation address"),
    ([203, 0, 113, 0], 24, "a documentation address"),
    ([224, 0, 0, 0], 4, "a multicast address"),
    ([240, 0, 0, 0], 4, "a reserved or broadcast address"),
];

fn ipv4_non_public(ip: Ipv4Addr) -> Option<&'static str> {
    let value = u32::from(ip);
    IPV4_NON_PUBLIC.iter().find_map(|(net, prefix, why)| {
        let mask = u32::MAX << (32 - u32::from(*prefix));
        (value & mask == u32::from_be_bytes(*net)).then_some(*why)
    })
}

fn ipv6_non_public(ip: Ipv6Addr) -> Option<&'static str> {
    let s = ip.segments();
    if ip.is_unspecified() {
        return Some("the unspecified address");
    }
    if ip.is_loopback() {
        return Some("the loopback address");
    }
    if ip.to_ipv4_mapped().is_some() {
        return Some("an IPv4-mapped address");
    }
    if s[0] & 0xffc0 == 0xfe80 {
        return Some("a link-local address");
    }
    if s[0] & 0xfe00 == 0xfc00 {
        return Some("a unique local (private) address");
    }
    // Public unicast is 2000::/3, minus the ranges that embed or tunnel IPv4 or are reserved.
    if s[0] & 0xe000 != 0x2000 {
        return Some("not a global unicast address (IPv4-compatible, NAT64, multicast or reserved)");
    }
    if s[0] == 0x2002 || (s[0] == 0x2001 && s[1] < 0x0200) {
        return Some("a tunnel (6to4, Teredo) or IETF protocol address");
    }
    if (s[0] == 0x2001 && s[1] == 0x0db8) || s[0] & 0xfff0 == 0x3ff0 {
        return Some("a documentation address");
    }
    None
}

/// Top-level names that never lead to the public internet (RFC 6761, RFC 8375, ICANN's `.internal`
/// and names commonly used inside private networks).
const INTERNAL_TLDS: [&str; 15] = [
    "localhost",
    "local",
    "internal",
    "localdomain",
    "lan",
    "home",
    "corp",
    "intranet",
    "private",
    "arpa",
    "test",
    "invalid",
    "example",
    "onion",
    "alt",
];

/// Cloud metadata services reachable under a public-looking name (each also covers its subdomains).
const METADATA_NAMES: [&str; 4] =
    ["metadata.goog", "metadata.tencentyun.com", "metadata.platformequinix.com", "metadata.packet.net"];

fn name_non_public(name: &str) -> Option<&'static str> {
    let Some((_, tld)) = name.rsplit_once('.') else {
        return Some("a single-label name, resolved inside the local network");
    };
    if INTERNAL_TLDS.contains(&tld) {
        return Some("an internal or reserved name");
    }
    let metadata =
        METADATA_NAMES.iter().any(|m| name == *m || name.strip_suffix(m).is_some_and(|sub| sub.ends_with('.')));
    metadata.then_some("a cloud metadata service")
}

/// An absolute `https` URL, split: its host, port and the rest (path and query, no fragment).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpsUrl {
    /// The host, canonical.
    pub host: Host,
    /// An explicit port.
    pub port: Option<u16>,
    /// Everything after the authority, without the fragment (`/a.jpg?size=2`).
    pub rest: String,
}

impl HttpsUrl {
    /// Parses an https URL that passes [`check_https_url`], reading its host as WHATWG parsers
    /// do. Errors give the field code and the reason.
    pub fn parse(url: &str) -> Result<HttpsUrl, (ErrorCode, &'static str)> {
        check_https_url(url)?;
        let invalid = |why| (ErrorCode::InvalidUrl, why);
        let rest = url.split_once("://").map(|(_, rest)| rest).unwrap_or_default();
        let (authority, tail) = rest.split_at(rest.find(['/', '?', '#']).unwrap_or(rest.len()));
        let (host, port) = match authority.rsplit_once(':') {
            Some((host, port)) if !port.contains(']') => {
                let port = port.parse::<u16>().ok().filter(|p| *p > 0);
                (host, Some(port.ok_or(invalid("the URL's port must be a number from 1 to 65535"))?))
            }
            _ => (authority, None),
        };
        let host = Host::parse(host).map_err(|_| invalid("the URL has no valid host"))?;
        let rest = tail.split('#').next().unwrap_or_default().to_owned();
        Ok(HttpsUrl { host, port, rest })
    }

    /// The URL as it is fetched: canonical host, the port if one was given, path and query.
    pub fn canonical(&self) -> String {
        let port = self.port.map(|p| format!(":{p}")).unwrap_or_default();
        let rest = if self.rest.starts_with('/') { self.rest.clone() } else { format!("/{}", self.rest) };
        format!("https://{}{port}{rest}", self.host)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v4(s: &str) -> Ipv4Addr {
        match Host::parse(s) {
            Ok(Host::V4(ip)) => ip,
            other => panic!("{s}: {other:?}"),
        }
    }

    #[test]
    fn ipv4_in_every_whatwg_spelling() {
        let loopback = Ipv4Addr::new(127, 0, 0, 1);
        for s in [
            "127.0.0.1",
            "2130706433",
            "0x7f000001",
            "0X7F000001",
            "0177.0.0.1",
            "0x7f.0.0.1",
            "127.1",
            "127.0.1",
            "0x7f.1",
            "017700000001",
            "127.0.0.1.",
            "127.000.000.001",
            // Leading zeros without end, as browsers and workerd read them.
            "127.0.0.0x000000000000000000000001",
            "0x000000000000000000000000000000007f000001",
            "00000000000000000000000000000177.0.0.1",
        ] {
            assert_eq!(v4(s), loopback, "{s}");
        }
        assert_eq!(v4("169.254.169.0x0000000000000000000000fe"), Ipv4Addr::new(169, 254, 169, 254));
        assert_eq!(v4("1.0x"), Ipv4Addr::new(1, 0, 0, 0));
        assert_eq!(v4("0"), Ipv4Addr::UNSPECIFIED);
        assert_eq!(v4("0x"), Ipv4Addr::UNSPECIFIED);
        assert_eq!(v4("169.254.43518"), Ipv4Addr::new(169, 254, 169, 254));
        assert_eq!(v4("0xa9fea9fe"), Ipv4Addr::new(169, 254, 169, 254));
        assert_eq!(v4("10.1"), Ipv4Addr::new(10, 0, 0, 1));
        for bad in [
            "256.0.0.1",
            "1.2.3.4.5",
            "0x100000000",
            "4294967296",
            "1.2.3.08",
            "foo.127",
            "1.256.0",
            "99999999999999999999999",
            "0x1ffffffffffffffffffffffff",
        ] {
            assert!(Host::parse(bad).is_err(), "{bad}");
        }
        // A number in a middle label does not make an address.
        assert_eq!(Host::parse("127.0.0.1.nip.io"), Ok(Host::Name("127.0.0.1.nip.io".into())));
    }

    #[test]
    fn ipv6_literals_and_names() {
        assert_eq!(Host::parse("[::1]"), Ok(Host::V6(Ipv6Addr::LOCALHOST)));
        assert_eq!(Host::parse("[0:0:0:0:0:0:0:1]"), Ok(Host::V6(Ipv6Addr::LOCALHOST)));
        assert!(Host::parse("[::1").is_err());
        assert!(Host::parse("[fe80::1%25eth0]").is_err());
        assert_eq!(Host::parse("Images.Example.COM."), Ok(Host::Name("images.example.com".into())));
        for bad in
            ["", ".", "a..b", "exa_mple.com", "-a.com", "a-.com", "ex%61mple.com", &format!("{}.com", "a".repeat(64))]
        {
            assert!(Host::parse(bad).is_err(), "{bad:?}");
        }
        assert_eq!(Host::parse("0x7f000001").unwrap().to_string(), "127.0.0.1");
        assert_eq!(Host::parse("[::ffff:127.0.0.1]").unwrap().to_string(), "[::ffff:7f00:1]");
        for (given, written) in [
            ("[0:0:0:0:0:0:0:0]", "[::]"),
            ("[1:0:0:0:0:0:0:0]", "[1::]"),
            ("[1:0:0:2:0:0:0:3]", "[1:0:0:2::3]"),
            ("[2001:DB8:0:0:1:0:0:1]", "[2001:db8::1:0:0:1]"),
            ("[1:0:2:3:4:5:6:7]", "[1:0:2:3:4:5:6:7]"),
            ("[fe80::00ab:c:0:0]", "[fe80::ab:c:0:0]"),
            ("[::1:2:3:4:5:6:7]", "[0:1:2:3:4:5:6:7]"),
            ("[1:2:3:4:5:6:7::]", "[1:2:3:4:5:6:7:0]"),
            ("[1:2:3:4:5:6:1.2.3.4]", "[1:2:3:4:5:6:102:304]"),
            ("[::ffff:1.2.3.4]", "[::ffff:102:304]"),
        ] {
            assert_eq!(Host::parse(given).unwrap().to_string(), written, "{given}");
        }
        // `::` stands for one zero piece at least; a dotted address is the last two pieces.
        for bad in [
            "[::1:2:3:4:5:6:7:8]",
            "[1:2:3:4::5:6:7:8]",
            "[1:2:3:4:5:6:7:8::]",
            "[1:2:3:4:5:6:7:1.2.3.4]",
            "[1:2:3:4:5:6::1.2.3.4]",
            "[::1.2.3.04]",
            "[1:2:3:4:5:6:7:8:9]",
            "[1:2:3:4:5:6:7:]",
            "[:1:2:3:4:5:6:7]",
            "[12345::]",
        ] {
            assert!(Host::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn non_public_hosts_in_every_spelling() {
        for s in [
            "127.0.0.1",
            "2130706433",
            "0x7f000001",
            "0177.0.0.1",
            "127.1",
            "127.0.0.1.",
            "0",
            "0.0.0.0",
            "169.254.169.254",
            "10.0.0.5",
            "172.16.3.4",
            "172.31.255.255",
            "192.168.1.1",
            "100.100.100.200",
            "224.0.0.1",
            "255.255.255.255",
            "[::1]",
            "[::]",
            "[::ffff:127.0.0.1]",
            "[::ffff:7f00:1]",
            "[::ffff:169.254.169.254]",
            "[::127.0.0.1]",
            "[64:ff9b::7f00:1]",
            "[fe80::1]",
            "[fc00::1]",
            "[fd12:3456::1]",
            "[ff02::1]",
            "[2002:7f00:1::]",
            "[2001:db8::1]",
            "[2001::1]",
            "localhost",
            "localhost.",
            "LOCALHOST",
            "api.localhost",
            "a.b.localhost.",
            "waha",
            "metadata",
            "redis.internal",
            "metadata.google.internal",
            "instance-data.ec2.internal",
            "printer.local",
            "nas.lan",
            "router.home.arpa",
            "1.0.0.127.in-addr.arpa",
            "metadata.goog",
            "x.metadata.tencentyun.com",
        ] {
            let host = Host::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"));
            assert!(host.non_public().is_some(), "{s} must not be public");
        }
        for s in [
            "8.8.8.8",
            "93.184.215.14",
            "172.32.0.1",
            "[2606:4700::1111]",
            "images.example.com",
            "cdn.whatsapp.net",
            "notmetadata.goog",
        ] {
            assert_eq!(Host::parse(s).unwrap().non_public(), None, "{s}");
        }
    }

    #[test]
    fn https_urls_split_and_canonical() {
        let u = HttpsUrl::parse("https://0x7f.1:8443/a.jpg?x=1#frag").unwrap();
        assert_eq!(
            (u.host.clone(), u.port, u.rest.as_str()),
            (Host::V4(Ipv4Addr::LOCALHOST), Some(8443), "/a.jpg?x=1")
        );
        assert_eq!(u.canonical(), "https://127.0.0.1:8443/a.jpg?x=1");
        assert_eq!(HttpsUrl::parse("HTTPS://Example.com").unwrap().canonical(), "https://example.com/");
        assert_eq!(HttpsUrl::parse("https://example.com?q").unwrap().canonical(), "https://example.com/?q");
        assert_eq!(HttpsUrl::parse("https://[::1]:443/").unwrap().host, Host::V6(Ipv6Addr::LOCALHOST));
        for (bad, code) in [
            ("http://example.com/", ErrorCode::InsecureUrl),
            ("https://u@example.com/", ErrorCode::UrlHasCredentials),
            ("https://example.com:0/", ErrorCode::InvalidUrl),
            ("https://example.com:65536/", ErrorCode::InvalidUrl),
            ("https://example.com:+1/", ErrorCode::InvalidUrl),
            ("https://127.0.0.1:80:443/", ErrorCode::InvalidUrl),
            ("https://example.com\\@127.0.0.1/", ErrorCode::UrlHasCredentials),
            ("https://127.0.0.1\\.example.com/", ErrorCode::InvalidUrl),
            ("https://1.2.3.4.5/", ErrorCode::InvalidUrl),
        ] {
            assert_eq!(HttpsUrl::parse(bad).unwrap_err().0, code, "{bad}");
        }
    }
}
