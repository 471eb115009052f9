"""A stateful, contract-checked fake Synapse backend."""
