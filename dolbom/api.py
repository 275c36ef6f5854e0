from ninja import NinjaAPI

api = NinjaAPI(title="dolbom API", version="1")
