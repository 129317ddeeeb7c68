"""The contract every part agrees on: topics, markets, table schemas and SQL, rows, event payloads."""
