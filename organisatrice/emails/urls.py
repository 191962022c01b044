from django.urls import path

from .archive import views as archive_views
from .composer import views

app_name = "emails"
urlpatterns = [
    path("orders/<int:pk>/new/", views.email_new, name="new"),
    path("orders/<int:pk>/sent/", archive_views.order_emails, name="order_emails"),
    path("drafts/<int:pk>/", views.draft_edit, name="draft"),
    path("drafts/<int:pk>/send/", views.draft_send, name="draft_send"),
    path("drafts/<int:pk>/template/", views.draft_apply_template, name="draft_template"),
    path("drafts/<int:pk>/documents/", views.draft_add_document, name="draft_add_document"),
    path("drafts/<int:pk>/upload/", views.draft_upload, name="draft_upload"),
    path("drafts/<int:pk>/discard/", views.draft_discard, name="draft_discard"),
    path(
        "drafts/<int:pk>/attachments/<int:attachment_id>/remove/",
        views.draft_remove_attachment,
        name="draft_remove_attachment",
    ),
    path("drafts/<int:pk>/attachments/<int:attachment_id>/", views.draft_attachment_download, name="draft_attachment"),
    path(
        "drafts/<int:pk>/attachments/<int:attachment_id>/preview.png",
        views.draft_attachment_preview,
        name="draft_attachment_preview",
    ),
    path("<int:pk>/", archive_views.email_detail, name="detail"),
    path("<int:pk>/raw/", archive_views.email_raw, name="raw"),
    path("<int:pk>/attachments/<int:position>/", archive_views.email_attachment, name="attachment"),
    path("<int:pk>/notes/", archive_views.email_note_add, name="note_add"),
    path("<int:pk>/retry/", archive_views.email_retry, name="retry"),
    path("<int:pk>/cancel/", archive_views.email_cancel, name="cancel"),
]
