"""The wire: how each operation is sent and how its answer is read (httpx, no loops)."""
