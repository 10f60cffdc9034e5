//! IP networks (IPv4 and IPv6): the `cidr` operator of --match and the
//! `cidr` modifier of Sigma rules, checked when parsed.

use std::fmt;
use std::net::IpAddr;

/// Why a `cidr` operand is no network; each holds the operand as given.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NetworkError {
    #[error("'{0}' is not an IP address or network")]
    NotAnAddress(String),
    #[error("'{0}' has an invalid prefix length")]
    BadPrefix(String),
    #[error("'{text}' has host bits set; did you mean '{fixed}'?")]
    HostBits { text: String, fixed: String },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Network {
    base: IpAddr,
    prefix: u8,
}

impl Network {
    /// `10.0.0.0/8`, `2001:db8::/32`, or a bare address (a /32 or /128).
    /// Host bits must be clear, as Python's ipaddress insists, since a set
    /// bit there usually means a typo.
    pub fn parse(text: &str) -> Result<Self, NetworkError> {
        let (network, text) = Self::parse_unmasked(text)?;
        if network.masked(network.base) != bits(network.base) {
            return Err(NetworkError::HostBits {
                text: text.to_owned(),
                fixed: network.cleared().to_string(),
            });
        }
        Ok(network)
    }

    /// As [`Network::parse`], but set host bits are cleared rather than
    /// refused: a Sigma rule's `10.0.0.1/8` has always meant 10.0.0.0/8.
    pub fn parse_clearing_host_bits(text: &str) -> Result<Self, NetworkError> {
        Ok(Self::parse_unmasked(text)?.0.cleared())
    }

    fn parse_unmasked(text: &str) -> Result<(Self, &str), NetworkError> {
        let text = text.trim();
        let (addr, prefix) = match text.split_once('/') {
            Some((addr, prefix)) => (addr, Some(prefix)),
            None => (text, None),
        };
        let base: IpAddr = addr
            .parse()
            .map_err(|_| NetworkError::NotAnAddress(text.to_owned()))?;
        let max = if base.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            // Digits only, no leading zero: `/08` or `/+8` are likely typos.
            Some(p) => match p.parse::<u8>() {
                Ok(n)
                    if n <= max && p.bytes().all(|b| b.is_ascii_digit()) && !p.starts_with("0")
                        || p == "0" =>
                {
                    n
                }
                _ => return Err(NetworkError::BadPrefix(text.to_owned())),
            },
        };
        Ok((Self { base, prefix }, text))
    }

    /// Whether `addr` (text) is an address inside this network. Text that
    /// is no IP address, or of the other IP version, is never inside.
    pub fn contains_text(&self, addr: &str) -> bool {
        addr.parse::<IpAddr>().is_ok_and(|a| self.contains(a))
    }

    /// The network address (host bits clear).
    pub fn base(&self) -> IpAddr {
        self.base
    }

    /// The prefix length in bits.
    pub fn prefix_len(&self) -> u8 {
        self.prefix
    }

    pub fn contains(&self, addr: IpAddr) -> bool {
        addr.is_ipv4() == self.base.is_ipv4() && self.masked(addr) == bits(self.base)
    }

    fn mask(&self) -> u128 {
        let width = if self.base.is_ipv4() { 32 } else { 128 };
        let host_bits = u32::from(width - self.prefix);
        let all = if width == 32 {
            u128::from(u32::MAX)
        } else {
            u128::MAX
        };
        all.checked_shl(host_bits).map_or(0, |m| m & all)
    }

    fn masked(&self, addr: IpAddr) -> u128 {
        bits(addr) & self.mask()
    }

    /// The same network with the host bits of its base cleared.
    fn cleared(&self) -> Self {
        let masked = self.masked(self.base);
        let base = match self.base {
            IpAddr::V4(_) => IpAddr::from(u32::try_from(masked).unwrap_or(0).to_be_bytes()),
            IpAddr::V6(_) => IpAddr::from(masked.to_be_bytes()),
        };
        Self { base, ..*self }
    }
}

impl fmt::Display for Network {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.base, self.prefix)
    }
}

fn bits(addr: IpAddr) -> u128 {
    match addr {
        IpAddr::V4(a) => u128::from(u32::from(a)),
        IpAddr::V6(a) => u128::from(a),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn net(text: &str) -> Network {
        Network::parse(text).unwrap()
    }

    #[test]
    fn ipv4_networks() {
        let n = net("10.0.0.0/8");
        assert!(n.contains_text("10.1.2.3"));
        assert!(n.contains_text("10.255.255.255"));
        assert!(!n.contains_text("11.0.0.0"));
        assert!(net("0.0.0.0/0").contains_text("203.0.113.9"));
        assert!(net("192.168.1.7").contains_text("192.168.1.7"));
        assert!(!net("192.168.1.7").contains_text("192.168.1.8"));
    }

    #[test]
    fn ipv6_networks() {
        let n = net("2001:db8::/32");
        assert!(n.contains_text("2001:db8:1::5"));
        assert!(!n.contains_text("2001:db9::1"));
        assert!(net("::/0").contains_text("fe80::1"));
        assert!(net("::1").contains_text("::1"));
        assert!(!net("::1").contains_text("::2"));
    }

    #[test]
    fn versions_and_non_addresses_never_match() {
        assert!(!net("0.0.0.0/0").contains_text("::1"));
        assert!(!net("::/0").contains_text("10.0.0.1"));
        for text in [
            "AWS Internal",
            "s3.amazonaws.com",
            "",
            "10.0.0.1/8",
            "10.0.0",
        ] {
            assert!(!net("0.0.0.0/0").contains_text(text), "{text}");
        }
    }

    #[test]
    fn bad_networks_are_refused() {
        assert_eq!(
            Network::parse("10.0.0.1/8").unwrap_err().to_string(),
            "'10.0.0.1/8' has host bits set; did you mean '10.0.0.0/8'?"
        );
        for bad in [
            "10.0.0.0/33",
            "10.0.0.0/",
            "10.0.0.0/08",
            "10.0.0.0/+8",
            "::/129",
            "x",
            "1.2.3",
        ] {
            assert!(Network::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn sigma_networks_clear_host_bits() {
        let n = Network::parse_clearing_host_bits("10.0.0.1/8").unwrap();
        assert_eq!(n, net("10.0.0.0/8"));
        assert!(n.contains_text("10.0.0.0"));
        assert!(!n.contains_text("11.0.0.0"));
        let v6 = Network::parse_clearing_host_bits("2001:db8::1/32").unwrap();
        assert_eq!(v6.to_string(), "2001:db8::/32");
        assert!(Network::parse_clearing_host_bits("10.0.0.0/33").is_err());
        assert!(Network::parse_clearing_host_bits("nope/8").is_err());
    }
}
