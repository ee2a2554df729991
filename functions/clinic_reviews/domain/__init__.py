"""Pure domain logic: no boto3, no network, no clock reads (time is passed in)."""
