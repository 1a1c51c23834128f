"""Tiki Open API constants: hosts, paths, statuses, event types, error codes."""

API_URL = "https://api.tiki.vn"
DEFAULT_SCOPES = "offline product order inventory"
DEFAULT_UTC_OFFSET = 7
MIN_STATE_LENGTH = 8

#: how Tiki prints its times (zone-less: Vietnam time unless configured)
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"

# ---------------------------------------------------------------- app types

#: ``ShopConfig.extra["app_type"]``: a public app serves many sellers (code
#: flow), an in-house app is its own seller (client credentials)
APP_TYPE_PUBLIC = "public"
APP_TYPE_IN_HOUSE = "in_house"

#: ``ShopConfig.extra["token_auth_method"]``: HTTP Basic (default) or the
#: client id and secret in the form body
TOKEN_AUTH_BASIC = "basic"
TOKEN_AUTH_POST = "post"

# -------------------------------------------------------------------- paths

AUTHORIZE_PATH = "/sc/oauth2/auth"
TOKEN_PATH = "/sc/oauth2/token"

SELLER_PATH = "/integration/v2/sellers/me"
WAREHOUSES_PATH = "/integration/v2/sellers/me/warehouses"
SELLER_INVENTORIES_PATH = "/integration/v2/seller-inventories"

#: orders v2: the list (paged, or filtered by ``code``) and one order
ORDERS_PATH = "/integration/v2/orders"
ORDER_PATH = ORDERS_PATH + "/{code}"
CONFIRM_AVAILABLE_PATH = ORDER_PATH + "/confirm-available"
CONFIRM_DROPSHIP_PATH = ORDER_PATH + "/dropship/confirm-available"
#: what an order read includes: items with their fees, and its status history
ORDER_INCLUDE = "items.fees,status_histories"
ORDER_FEES_INCLUDE = "items.fees"

PRODUCTS_PATH = "/integration/v2/products"
UPDATE_SKUS_PATH = "/integration/v2.1/products/updateSkus"

QUEUES_PATH = "/integration/v1/queues"
SUBSCRIPTIONS_PATH = QUEUES_PATH + "/{queue}/subscriptions"
PULL_PATH = QUEUES_PATH + "/{queue}/events/pull"

# ----------------------------------------------------------------- statuses

#: Tiki order status (order v2) -> normalised state. ``queueing`` is the first
#: status a seller acts upon (Tiki accepted the order, the seller confirms it).
STATUS_MAP: dict[str, str] = {
    "waiting_payment": "unpaid",
    "payment_review": "pending",
    "processing": "pending",
    "holded": "pending",
    "queueing": "to_ship",
    "paid": "to_ship",
    "seller_confirmed": "to_ship",
    "packaging": "to_ship",
    "picking": "to_ship",
    "finished_packing": "to_ship",
    "ready_to_ship": "to_ship",
    "handover_to_partner": "shipped",
    "shipping": "shipped",
    "successful_delivery": "delivered",
    "delivered": "delivered",
    "complete": "completed",
    "closed": "completed",
    "failed_delivery": "to_return",
    "returned": "returned",
    "canceled": "cancelled",
    "cancelled": "cancelled",
}

#: an updateSkus row in one of these states (and without errors) was taken
SKU_ACCEPTED_STATES = ("success", "approved", "ok")

# ------------------------------------------------------------------- events

#: Event types Entro subscribes every seller to.
ORDER_EVENTS = ("ORDER_CREATED_SUCCESSFULLY", "ORDER_STATUS_UPDATED")
PRODUCT_EVENTS = (
    "PRODUCT_PRICE_UPDATED",
    "PRODUCT_MARKET_PRICE_UPDATED",
    "PRODUCT_INVENTORY_UPDATED",
)
EVENT_TYPES = ORDER_EVENTS + PRODUCT_EVENTS

# -------------------------------------------------------------- error codes

#: OAuth codes of a 401 that no new token cures: the app itself is refused
CLIENT_ERROR_CODES = ("invalid_client", "unauthorized_client")
#: codes (any status) that mean the authorization is refused
AUTHORIZATION_ERROR_CODES = (
    "invalid_grant",
    "invalid_client",
    "unauthorized_client",
    "access_denied",
    "invalid_scope",
)
