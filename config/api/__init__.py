"""What every endpoint under /api/v1/ shares, whichever app serves it: problem+json errors,
cursor pagination, throttles, strict filters, API-wide permissions and the OpenAPI hooks.
The apps' own endpoints, serializers and object rules stay in their ``api`` packages."""
