"""Channel adapters: the only place a chat platform's SDK may be imported."""
