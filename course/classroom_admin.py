"""Admin registrations for the classroom models."""
