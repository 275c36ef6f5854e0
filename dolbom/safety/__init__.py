"""The emergency safety service (응급안전안심서비스): in-home sensors in, alerts out (docs/ARCHITECTURE.md)."""
