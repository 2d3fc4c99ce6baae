"""The event-sourced registry of administrative units and public organisations."""
