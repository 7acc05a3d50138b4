"""The application layer: the `handover` command wires the core, the connectors and the pipelines together."""
