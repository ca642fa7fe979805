from services.console.bootstrap import bootstrap, serve

serve(bootstrap())
