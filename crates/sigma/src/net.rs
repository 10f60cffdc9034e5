//! `cidr` networks, IPv4 and IPv6.

use std::net::IpAddr;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Network {
    /// As written in the rule.
    pub text: String,
    base: IpAddr,
    prefix: u8,
}

impl Network {
    /// `10.0.0.0/8`, `2001:db8::/32`; a bare address is a single host.
    pub fn parse(text: &str) -> Result<Network, String> {
        let (address, prefix) = match text.split_once('/') {
            Some((address, prefix)) => (address, Some(prefix)),
            None => (text, None),
        };
        let base: IpAddr = address
            .parse()
            .map_err(|_| format!("'{text}' is not a CIDR network"))?;
        let max = if base.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(p) => p
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(|| format!("'{text}': prefix length must be 0 to {max}"))?,
        };
        Ok(Network {
            text: text.to_owned(),
            base,
            prefix,
        })
    }

    pub fn base(&self) -> IpAddr {
        self.base
    }

    pub fn prefix_len(&self) -> u8 {
        self.prefix
    }

    pub fn contains_text(&self, text: &str) -> bool {
        text.parse::<IpAddr>().is_ok_and(|ip| self.contains(ip))
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.base, ip) {
            (IpAddr::V4(base), IpAddr::V4(ip)) => {
                let mask = u32::MAX.checked_shl(32 - self.prefix as u32).unwrap_or(0);
                u32::from(base) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(base), IpAddr::V6(ip)) => {
                let mask = u128::MAX.checked_shl(128 - self.prefix as u32).unwrap_or(0);
                u128::from(base) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v4_and_v6() {
        let net = Network::parse("10.0.0.0/8").unwrap();
        assert!(net.contains_text("10.1.2.3"));
        assert!(!net.contains_text("11.1.2.3"));
        assert!(!net.contains_text("AWS Internal"));
        let all = Network::parse("0.0.0.0/0").unwrap();
        assert!(all.contains_text("1.2.3.4"));
        let v6 = Network::parse("2001:db8::/32").unwrap();
        assert!(v6.contains_text("2001:db8:4f2a::17"));
        assert!(!v6.contains_text("2001:db9::1"));
        assert!(!v6.contains_text("10.1.2.3"));
        assert!(Network::parse("10.0.0.0/33").is_err());
        assert!(Network::parse("nope/8").is_err());
    }
}
