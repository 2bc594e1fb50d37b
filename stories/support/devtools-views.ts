import { userEvent, within } from 'storybook/test';

type Queries = ReturnType<typeof within>;

/**
 * Shows a devtools view by name the way a user would at the panel's width: its tab in a wide panel,
 * its item in the views menu in a narrow one (the play functions run in a narrow frame, screenshots
 * in a wide one).
 */
export async function showView(devtools: Queries, name: string): Promise<void> {
  const tab = devtools.queryByRole('tab', { name });
  if (tab) {
    await userEvent.click(tab);
    return;
  }
  await userEvent.click(devtools.getByRole('button', { name: /^View / }));
  await userEvent.click(devtools.getByRole('menuitemradio', { name }));
}
