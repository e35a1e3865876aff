import { Form } from "@remix-run/react";
import { DataTable } from "./data-table";

type GapRow = { id: string; attestationId: string; controlId: string; controlText: string; answer: string; owner: string; dueDate: string; status: "open" | "in_progress" | "closed" };

/** An attestation's gaps: control, owner, due date, status; editable rows post to their attestation's page. */
export function GapTable({ gaps, editable, errors }: { gaps: GapRow[]; editable: boolean; errors?: Record<string, string[]> }) {
  return (
    <DataTable
      label="Gaps"
      columns={["Control", "Answer", "Owner", "Due", "Status", editable ? "Update" : null]}
      rows={gaps}
      row={(g) => {
        const formId = `gap-${g.id}`;
        return (
          <tr key={g.id}>
            <td>
              <strong className="mono">{g.controlId}</strong> {g.controlText}
            </td>
            <td>{g.answer}</td>
            <td>{editable ? <input form={formId} name="owner" aria-label={`Owner of ${g.controlId}`} defaultValue={g.owner} /> : g.owner}</td>
            <td>
              {editable ? <input form={formId} type="date" name="dueDate" aria-label={`Due date of ${g.controlId}`} defaultValue={g.dueDate} /> : g.dueDate}
              {errors?.[`dueDate:${g.id}`] ? <p className="field-error">{errors[`dueDate:${g.id}`]![0]}</p> : null}
            </td>
            <td>
              {editable ? (
                <select form={formId} name="status" aria-label={`Status of ${g.controlId}`} defaultValue={g.status}>
                  <option value="open">Open</option>
                  <option value="in_progress">In progress</option>
                  <option value="closed">Closed</option>
                </select>
              ) : (
                g.status.replace("_", " ")
              )}
            </td>
            {editable ? (
              <td>
                <Form method="post" id={formId} action={`/attestations/${g.attestationId}`}>
                  <input type="hidden" name="intent" value="gap" />
                  <input type="hidden" name="gapId" value={g.id} />
                  <button type="submit">Save</button>
                </Form>
              </td>
            ) : null}
          </tr>
        );
      }}
    />
  );
}
