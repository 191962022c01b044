"""What goes wrong with a template part, said so that staff can fix it."""

from dataclasses import dataclass

from django.utils.translation import gettext as _


@dataclass(frozen=True)
class TemplateProblem:
    message: str
    line: int | None = None

    def __str__(self) -> str:
        if self.line is None:
            return self.message
        return _("Ligne %(line)s : %(message)s") % {"line": self.line, "message": self.message}


class TemplateRenderError(ValueError):
    def __init__(self, problem: TemplateProblem) -> None:
        super().__init__(str(problem))
        self.problem = problem


class TemplateLimitError(TemplateRenderError):
    """The sandbox refused: a limit of the render was reached, or an operation is forbidden.

    Unlike other render errors, this never depends on a value being missing or of the
    wrong type: reached in any branch, it is the template's fault.
    """

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(TemplateProblem(message, line))
