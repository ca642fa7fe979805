from saphan_runtime.service import serve
from services.referral.bootstrap import bootstrap

serve(bootstrap())
