"""Everything Ray: sources, worker actors, the results queue and the sinks. The only package importing ray."""
