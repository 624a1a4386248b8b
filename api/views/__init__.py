"""The API's endpoints: thin, each starting from `for_user(request.user)` where
`request.user` is the token's municipality (api.principal). By concern: `base` (what every
endpoint shares), `expenditures` and `reading`."""

from api.views.base import ApiView, NotFoundView, TokenScope
from api.views.expenditures import (
    ExpenditureBulkView,
    ExpenditureDetailView,
    ExpenditureListView,
)
from api.views.reading import (
    FinalPositionView,
    PaymentListView,
    PictureView,
    ReportDetailView,
    ReportFileView,
    ReportListView,
    RoundListView,
    SettlementView,
    TotalsView,
)

__all__ = [
    "ApiView",
    "ExpenditureBulkView",
    "ExpenditureDetailView",
    "ExpenditureListView",
    "FinalPositionView",
    "NotFoundView",
    "PaymentListView",
    "PictureView",
    "ReportDetailView",
    "ReportFileView",
    "ReportListView",
    "RoundListView",
    "SettlementView",
    "TokenScope",
    "TotalsView",
]
