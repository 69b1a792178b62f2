"""What each sub-command does; imported only when it runs (see ``waybill.app.commands``)."""
