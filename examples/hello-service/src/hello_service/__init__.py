"""hello-service: greets from inside a PEX."""
