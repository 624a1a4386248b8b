from django.urls import path

from settlement import views

app_name = "settlement"

urlpatterns = [
    path("<str:code>/", views.SettlementDetailView.as_view(), name="detail"),
    path("<str:code>/beschikking/", views.SettlementRecordView.as_view(), name="record"),
    path("<str:code>/beschikking/brief.pdf", views.LetterView.as_view(), name="letter"),
    path("<str:code>/terugbetaling/", views.RepaymentRecordView.as_view(), name="repayment"),
    path("<str:code>/afsluiten/", views.CloseView.as_view(), name="close"),
    path("<str:code>/heropenen/", views.ReopenView.as_view(), name="reopen"),
]
