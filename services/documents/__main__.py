from saphan_runtime.service_app import serve
from services.documents.bootstrap import bootstrap

serve(bootstrap())
