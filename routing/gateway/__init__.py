"""The gateway: the data plane that carries a team's production traffic (see ``app.GatewayApp``)."""
