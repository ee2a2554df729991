"""Outbound messages: SMS, e-mail, chat; jinja2 templates under templates/."""
