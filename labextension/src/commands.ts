/** The product's command ids. */
export namespace CommandIDs {
  export const backup = 'luml-notebooks:backup';
  export const restore = 'luml-notebooks:restore';
}
