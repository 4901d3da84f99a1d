"""The bundled demo: a government-style site (and accounts) served on 127.0.0.1."""
