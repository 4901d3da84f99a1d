"""Site-health checkers: homepage probe, TLS certificate, IPv6 reachability, links and images."""
