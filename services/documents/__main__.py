from saphan_runtime.service import serve
from services.documents.bootstrap import bootstrap

serve(bootstrap())
