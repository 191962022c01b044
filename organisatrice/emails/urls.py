from django.urls import path

from .archive import report_views
from .archive import views as archive_views
from .composer import document_views, preview_views, views

app_name = "emails"
urlpatterns = [
    path("orders/<int:pk>/new/", views.email_new, name="new"),
    path("orders/<int:pk>/send-document/", document_views.document_send, name="document_send"),
    path("orders/<int:pk>/sent/", archive_views.order_emails, name="order_emails"),
    path("drafts/<int:pk>/", views.draft_edit, name="draft"),
    path("drafts/<int:pk>/send/", views.draft_send, name="draft_send"),
    path("drafts/<int:pk>/template/", document_views.draft_apply_template, name="draft_template"),
    path("drafts/<int:pk>/document/", document_views.draft_choose_document, name="draft_choose_document"),
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
    path(
        "drafts/<int:pk>/attachments/<int:attachment_id>/pages/",
        preview_views.draft_attachment_pages,
        name="draft_attachment_pages",
    ),
    path(
        "drafts/<int:pk>/attachments/<int:attachment_id>/pages/<int:page>.png",
        preview_views.draft_attachment_page,
        name="draft_attachment_page",
    ),
    path("<int:pk>/", archive_views.email_detail, name="detail"),
    path("<int:pk>/raw/", archive_views.email_raw, name="raw"),
    path("<int:pk>/html/", archive_views.email_html, name="html"),
    path("<int:pk>/attachments/<int:position>/", archive_views.email_attachment, name="attachment"),
    path("<int:pk>/notes/", archive_views.email_note_add, name="note_add"),
    path("<int:pk>/retry/", archive_views.email_retry, name="retry"),
    path("<int:pk>/cancel/", archive_views.email_cancel, name="cancel"),
    path("<int:pk>/reports/<int:report_id>/", report_views.delivery_report, name="delivery_report"),
    path("<int:pk>/reports/<int:report_id>/raw/", report_views.delivery_report_raw, name="delivery_report_raw"),
]
