from decimal import Decimal

from rest_framework import serializers

from apps.core.api.fields import DateField, MoneyField, MoneyOutputField


class PayInputSerializer(serializers.Serializer):
    amount = MoneyField(
        required=False, allow_null=True, help_text="Left out: all that is still owed on the installment."
    )


class AmountInputSerializer(serializers.Serializer):
    amount = MoneyField()


class AllocationSerializer(serializers.Serializer):
    penalty = MoneyOutputField()
    interest = MoneyOutputField()
    principal = MoneyOutputField()


class RepaymentResultSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    kind = serializers.CharField()
    amount = MoneyOutputField()
    allocation = AllocationSerializer()
    installment_status = serializers.CharField(allow_null=True)
    loan_status = serializers.CharField()
    loan_outstanding = MoneyOutputField(
        help_text="What the borrower still owes: principal, interest fallen due and charges"
    )


class BounceInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=4, help_text="NACH return code, e.g. 04 (balance insufficient)")


class BounceResultSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    installment_id = serializers.UUIDField()
    reason = serializers.CharField()
    reason_text = serializers.CharField()
    charge = MoneyOutputField()
    bounce_count = serializers.IntegerField()
    loan_status = serializers.CharField()


class HistoryItemSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["REPAYMENT", "BOUNCE"])
    id = serializers.UUIDField()
    at = serializers.DateTimeField()
    business_date = serializers.DateField()
    amount = MoneyOutputField()
    detail = serializers.DictField()


class ForeclosureQuoteSerializer(serializers.Serializer):
    principal = MoneyOutputField()
    interest_to_date = MoneyOutputField()
    charges = MoneyOutputField()
    total = MoneyOutputField()
    valid_on = serializers.DateField()


class StatementQuerySerializer(serializers.Serializer):
    # "from" is a Python keyword: declared below under its query-string name.
    to = DateField(required=False, help_text="Last business date included; the business date when left out.")
    format = serializers.ChoiceField(choices=["json", "pdf"], default="json")

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = DateField(required=False, help_text="First business date; the disbursement when left out.")
        return fields


class StatementLineSerializer(serializers.Serializer):
    date = serializers.DateField()
    description = serializers.CharField()
    debit = MoneyOutputField()
    credit = MoneyOutputField()
    balance = MoneyOutputField()


class StatementSerializer(serializers.Serializer):
    def get_fields(self):
        # "from" is a Python keyword, so the fields are listed here, in the contract's order.
        return {
            "loan_id": serializers.UUIDField(source="loan.pk"),
            "from": serializers.DateField(source="date_from"),
            "to": serializers.DateField(source="date_to"),
            "opening_balance": MoneyOutputField(),
            "lines": StatementLineSerializer(many=True),
            "closing_balance": MoneyOutputField(),
        }


class WaiveInputSerializer(serializers.Serializer):
    installment_id = serializers.UUIDField()
    amount = MoneyField(min_value=Decimal("0.01"))
    reason = serializers.CharField(min_length=10, max_length=1000, help_text="Kept in the audit trail.")
