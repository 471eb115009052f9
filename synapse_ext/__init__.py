"""Hand-written layer over the generated Synapse client."""
