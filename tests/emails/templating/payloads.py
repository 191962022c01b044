"""The three payloads of the security review, which the backoffice once saved."""

NEVER = '{% if order_number == "1999-00001" %}'  # a branch the sample values do not take

POWER = "{{ (9**(9**7)) > 5 }}"
LOOPS = NEVER + "{% for i in range(100000) %}{% for j in range(100000) %}.{% endfor %}{% endfor %}{% endif %}"
RECURSION = "{% macro m(n) %}{{ m(n) }}{% endmacro %}" + NEVER + "{{ m(1) }}{% endif %}"
