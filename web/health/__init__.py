"""The health check of load balancers and monitors."""
