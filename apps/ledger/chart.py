"""The fixed chart of accounts. Codes are the primary keys, so posting needs no lookups.

Migration 0002 seeded a frozen copy of CHART; an account added here needs a migration of its
own (tests/ledger check the database holds CHART). Accounts are never deleted (a trigger
refuses it).
"""

ASSET, LIABILITY, EQUITY, INCOME, EXPENSE = "ASSET", "LIABILITY", "EQUITY", "INCOME", "EXPENSE"

BANK_DISBURSEMENT = "1000"
BANK_COLLECTIONS = "1010"
LOAN_PRINCIPAL = "1100"
INTEREST_RECEIVABLE = "1110"
CHARGES_RECEIVABLE = "1120"
BORROWER_ADVANCES = "2000"
GST_PAYABLE = "2100"
INTEREST_SUSPENSE = "2200"
PENAL_SUSPENSE = "2210"
CAPITAL = "3000"
PROCESSING_FEE_INCOME = "4000"
INTEREST_INCOME = "4010"
PENAL_INCOME = "4020"
RECOVERY_INCOME = "4030"
WRITE_OFF_EXPENSE = "5000"
CHARGES_WAIVED = "5010"

CHART = [
    (BANK_DISBURSEMENT, "Bank: disbursement account", ASSET),
    (BANK_COLLECTIONS, "Bank: collection account", ASSET),
    (LOAN_PRINCIPAL, "Loan principal receivable", ASSET),
    (INTEREST_RECEIVABLE, "Interest receivable", ASSET),
    (CHARGES_RECEIVABLE, "Penal and bounce charges receivable", ASSET),
    (BORROWER_ADVANCES, "Borrower advances and excess payments", LIABILITY),
    (GST_PAYABLE, "GST payable on fees and charges", LIABILITY),
    (INTEREST_SUSPENSE, "Interest suspense (NPA)", LIABILITY),
    (PENAL_SUSPENSE, "Penal charges suspense (NPA)", LIABILITY),
    (CAPITAL, "Share capital", EQUITY),
    (PROCESSING_FEE_INCOME, "Processing fee income", INCOME),
    (INTEREST_INCOME, "Interest income", INCOME),
    (PENAL_INCOME, "Penal and bounce charge income", INCOME),
    (RECOVERY_INCOME, "Recovery income (written-off loans)", INCOME),
    (WRITE_OFF_EXPENSE, "Loan write-off expense", EXPENSE),
    (CHARGES_WAIVED, "Penal and bounce charges waived", EXPENSE),
]

# Assets and expenses grow with debits; the rest with credits.
DEBIT_NORMAL = {ASSET, EXPENSE}
