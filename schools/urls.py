from django.urls import path

from schools import views

app_name = "schools"

urlpatterns = [
    path("", views.round_list, name="round-list"),
    path("scholen/", views.SchoolListView.as_view(), name="school-list"),
    path("importeren/", views.school_import, name="school-import"),
    path("rondes/nieuw/", views.round_create, name="round-create"),
    path("rondes/<int:pk>/", views.round_detail, name="round-detail"),
    path("rondes/<int:pk>/wijzigen/", views.round_edit, name="round-edit"),
    path("rondes/<int:pk>/sluiten/", views.round_close, name="round-close"),
    path("rondes/<int:pk>/beeld/", views.picture, name="picture"),
    path("rondes/<int:pk>/beeld.xlsx", views.picture_xlsx, name="picture-xlsx"),
    path("rondes/<int:pk>/beeld.csv", views.picture_csv, name="picture-csv"),
    path("rondes/<int:pk>/niet-gereageerd/", views.non_reporters, name="non-reporters"),
    path("rondes/<int:pk>/herinneren/", views.send_reminders, name="send-reminders"),
    path("rondes/<int:pk>/scholen/<int:school_pk>/", views.answer_edit, name="answer-edit"),
    path("antwoorden/<int:pk>/", views.answer_detail, name="answer-detail"),
    path(
        "antwoorden/<int:pk>/heropenen-aanvragen/",
        views.answer_request_reopen,
        name="answer-request-reopen",
    ),
    path("antwoorden/<int:pk>/heropenen/", views.answer_reopen, name="answer-reopen"),
]
